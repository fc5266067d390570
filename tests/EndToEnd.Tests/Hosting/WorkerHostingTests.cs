namespace Sts.EndToEnd.Tests.Hosting;

/// <summary>The worker's own start-up checks, on the broker and storage of an API fixture.</summary>
[Collection(ServicesCollection.Name)]
public sealed class WorkerHostingTests(ServicesFixture api)
{
    [Fact]
    public async Task A_worker_without_a_signing_certificate_refuses_to_start_unless_signing_is_off()
    {
        var noCertificate = new Dictionary<string, string?> { ["Signing:CertificatePath"] = "", ["Signing:CertificatePassword"] = "" };
        var wrongPassword = new Dictionary<string, string?> { ["Signing:CertificatePassword"] = "not-the-password" };

        var missing = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => api.StartWorkerAsync(noCertificate));
        var unreadable = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => api.StartWorkerAsync(wrongPassword));
        var unsigned = await api.StartWorkerAsync(new Dictionary<string, string?>(noCertificate) { ["Signing:Enabled"] = "false" });
        await api.StopAsync(unsigned);

        Assert.Contains("Signing:CertificatePath is not set", missing.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be loaded", unreadable.Message, StringComparison.Ordinal);
    }
}
