using System.Net;
using System.Net.Sockets;

namespace Sts.Tests.Support;

/// <summary>
/// A loopback TCP relay in front of a real server, which a test can cut: the server stays up for everyone else, while
/// the service under test sees its connections reset and new ones refused, as when the network to it fails.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly List<TcpClient> _open = [];
    private readonly CancellationTokenSource _cut = new();
    private readonly Task _accepting;

    public TcpRelay(Uri target)
    {
        _target = target;
        _listener.Start();
        Address = new UriBuilder(target) { Port = ((IPEndPoint)_listener.LocalEndpoint).Port }.Uri;
        _accepting = AcceptAsync();
    }

    /// <summary>The target's address with the relay's port.</summary>
    public Uri Address { get; }

    /// <summary>Resets every relayed connection and refuses new ones.</summary>
    public async Task CutAsync()
    {
        await _cut.CancelAsync();
        _listener.Stop();
        lock (_open)
        {
            foreach (var client in _open)
            {
                client.Client.LingerState = new LingerOption(true, 0); // RST, not FIN
                client.Dispose();
            }
            _open.Clear();
        }
        await _accepting;
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var inbound = await _listener.AcceptTcpClientAsync(_cut.Token);
                var outbound = new TcpClient();
                await outbound.ConnectAsync(_target.Host, _target.Port, _cut.Token);
                lock (_open)
                {
                    _open.Add(inbound);
                    _open.Add(outbound);
                }
                _ = PumpAsync(inbound, outbound);
                _ = PumpAsync(outbound, inbound);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Cut.
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), _cut.Token);
            to.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Cut, or the other side went away.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_cut.IsCancellationRequested) await CutAsync();
        _cut.Dispose();
    }
}
