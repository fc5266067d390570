using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Sts.Tests.Support;

/// <summary>
/// A TLS front for a plaintext TCP service on loopback, as a broker with a TLS listener would be: it completes the
/// handshake with a certificate from the test CA and then copies bytes both ways to <paramref name="backend"/>'s host and port.
/// The local RabbitMQ has no TLS listener; this stands in for one without touching the shared broker.
/// </summary>
public sealed class TlsTerminatingProxy(X509Certificate2 certificate, Uri backend) : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private Task? _accepting;
    private int _handshakes;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>TLS handshakes completed so far.</summary>
    public int Handshakes => Volatile.Read(ref _handshakes);

    public void Start()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        if (_accepting is not null) await _accepting;
        Task[] open;
        lock (_connections) open = [.. _connections];
        await Task.WhenAll(open);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_connections) _connections.Add(RelayAsync(client));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, _stop.Token);
                Interlocked.Increment(ref _handshakes);
                await upstream.ConnectAsync(backend.Host, backend.Port, _stop.Token);
                var plain = upstream.GetStream();
                // Either side closing ends the relay; the stop token ends both copies.
                await Task.WhenAny(tls.CopyToAsync(plain, _stop.Token), plain.CopyToAsync(tls, _stop.Token));
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
            {
                // A refused handshake or a dropped connection: the client sees it.
            }
        }
    }
}
