namespace Sts.Tests.Support;

/// <summary>For tests that run a service as a process of its own: where its build is, and a port for it.</summary>
public static class ServiceBuild
{
    /// <summary>The service's build next to this test's (same configuration), which the solution build has produced.</summary>
    public static string Dll(string project, string dll)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "services", project, "bin", configuration, "net10.0", dll);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"services/{project}/bin/{configuration}/net10.0/{dll} not found; build the solution first.");
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
