namespace Sts.SnapshotApi.Tests;

/// <summary>The API on its own database, broker and storage, shared by the tests that need nothing more (xunit finds collections only in the test assembly).</summary>
[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}
