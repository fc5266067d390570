using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Sts.Api.V1;
using Sts.SnapshotApi.Data;

namespace Sts.SnapshotApi.Tests.Data;

/// <summary>
/// Raw SQL stays where EF has no form for it (locking claims, notifications, upserts, aggregate reports). Its table,
/// column and status names are the EF model's, derived by convention: this test reads every raw SQL text in the API's
/// source and checks each snake_case name and each status literal against the model, so that renaming a property or an
/// enum value fails here rather than in production.
/// </summary>
public sealed partial class RawSqlNamesTests
{
    // Functions, types and keywords with an underscore that the statements use; anything else with one must be a model name.
    private static readonly HashSet<string> SqlWords = new(StringComparer.Ordinal)
    {
        "pg_notify", "pg_try_advisory_lock", "pg_advisory_unlock", "pg_advisory_xact_lock", "pg_try_advisory_xact_lock",
        "octet_length", "percentile_cont", "date_trunc", "current_timestamp", "jsonb_build_object", "array_agg", "jsonb_agg",
        "to_timestamp", "clock_timestamp", "statement_timestamp", "transaction_timestamp", "gen_random_uuid", "string_agg",
        // System catalogs: the backup lock names its holder, a restore ends the other sessions, a bootstrap finds no tables.
        "pg_locks", "pg_stat_activity", "pg_database", "information_schema", "table_schema", "backend_type",
    };

    [Fact]
    public void Every_name_and_status_in_raw_sql_is_the_models()
    {
        using var db = new DesignTimeFactory().CreateDbContext([]);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entity in db.Model.GetEntityTypes())
        {
            if (entity.GetTableName() is { } table) names.Add(table);
            foreach (var property in entity.GetProperties())
                names.Add(property.GetColumnName());
            foreach (var index in entity.GetIndexes())
                if (index.GetDatabaseName() is { } indexName) names.Add(indexName);
        }
        var statuses = Enum.GetValues<SnapshotStatus>().Select(EnumText<SnapshotStatus>.ToText)
            .Concat(Enum.GetValues<SnapshotTaskStatus>().Select(EnumText<SnapshotTaskStatus>.ToText))
            .ToHashSet(StringComparer.Ordinal);

        var statements = SqlTexts().ToList();
        Assert.True(statements.Count >= 20, $"found only {statements.Count} raw SQL texts; has the source moved?");
        var unknown = new List<string>();
        foreach (var (file, sql) in statements)
        {
            foreach (Match m in SnakeName().Matches(sql))
                if (!names.Contains(m.Value) && !SqlWords.Contains(m.Value) && !sql.Contains($"AS {m.Value}", StringComparison.Ordinal))
                    unknown.Add($"{file}: '{m.Value}' is not a table, column or index of the model");
            foreach (Match m in StatusLiteral().Matches(sql))
                foreach (Match literal in Quoted().Matches(m.Groups["values"].Value))
                    if (!statuses.Contains(literal.Groups[1].Value))
                        unknown.Add($"{file}: status '{literal.Groups[1].Value}' is not a stored status");
        }
        Assert.Empty(unknown);
    }

    /// <summary>String literals of the API's source that read as SQL statements.</summary>
    private static IEnumerable<(string File, string Sql)> SqlTexts()
    {
        var root = Path.Combine(RepoRoot(), "services", "SnapshotApi");
        foreach (var path in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, path);
            if (relative.StartsWith("Data/Migrations", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal)
                || relative.StartsWith("bin", StringComparison.Ordinal)) continue;
            var source = File.ReadAllText(path);
            foreach (Match m in StringLiteral().Matches(source))
            {
                var text = m.Groups["raw"].Success ? m.Groups["raw"].Value : m.Groups["plain"].Value;
                if (SqlStart().IsMatch(text)) yield return (relative, text);
            }
        }
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Sts.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Could not find the repo root (Sts.sln) above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("\"\"\"(?<raw>.*?)\"\"\"|\"(?<plain>(?:[^\"\\\\\\n]|\\\\.)*)\"", RegexOptions.Singleline)]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"^\s*(SELECT|UPDATE|DELETE|INSERT|WITH)\s", RegexOptions.None)]
    private static partial Regex SqlStart();

    // Names with an underscore: the ones a rename in the model would silently break (single words are checked by use).
    [GeneratedRegex(@"(?<![{\w.'])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w'(])")]
    private static partial Regex SnakeName();

    [GeneratedRegex(@"status\s*(?:=|IN\s*\()\s*(?<values>'[a-z_]+'(?:\s*,\s*'[a-z_]+')*)")]
    private static partial Regex StatusLiteral();

    [GeneratedRegex("'([a-z_]+)'")]
    private static partial Regex Quoted();
}
