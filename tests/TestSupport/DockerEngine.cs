using System.Net.Sockets;

namespace Sts.Tests.Support;

/// <summary>Whether a Docker engine is reachable, so Testcontainers can be used.</summary>
public static class DockerEngine
{
    private static readonly Lazy<bool> Reachable = new(Probe);

    public static bool Answers() => Reachable.Value;

    private static bool Probe()
    {
        if (Environment.GetEnvironmentVariable("STS_TESTS_NO_DOCKER") == "1") return false;
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrEmpty(host) && !host.StartsWith("unix://", StringComparison.Ordinal))
            return true; // a remote engine: let Testcontainers try it.
        var socketPath = string.IsNullOrEmpty(host) ? "/var/run/docker.sock" : host["unix://".Length..];
        if (!File.Exists(socketPath)) return false;
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
