using System.CommandLine;

namespace Sts.Cli.Commands;

/// <summary>sts token: prints a signed dev token.</summary>
public static class TokenCommand
{
    public static Command Create()
    {
        var email = new Option<string>("--email") { Description = "Who the token speaks for (sub and email claims).", Required = true };
        var role = new Option<string?>("--role") { Description = "Platform role; \"admin\" may act on every room." };
        var scopes = new Option<string[]>("--scope") { Description = "A scope such as rooms:write; repeat for more.", DefaultValueFactory = _ => [] };
        var ttl = Duration.Option("--ttl", TimeSpan.FromHours(8), "How long the token is valid, such as 30m or 8h.");
        var keyFile = new Option<string?>("--key-file")
        {
            Description = "Signing key file (base64). Default: $Auth__SigningKey, else <repo>/.local/dev-signing-key.",
            HelpName = "path",
        };
        var issuer = new Option<string?>("--issuer") { Description = "Token issuer. Default: $Auth__Issuer, else sts-platform." };
        var audience = new Option<string?>("--audience") { Description = "Token audience. Default: $Auth__Audience, else sts-snapshot-api." };

        var command = new Command("token", "Print a signed dev token for local use.") { email, role, scopes, ttl, keyFile, issuer, audience };
        command.SetAction((parseResult, _) => ErrorReport.GuardAsync(() =>
        {
            var (settings, _) = SigningSettings.Resolve(parseResult.GetValue(keyFile), parseResult.GetValue(issuer), parseResult.GetValue(audience));
            var identity = new DevIdentity(parseResult.GetRequiredValue(email), parseResult.GetValue(role), parseResult.GetValue(scopes) ?? []);
            Console.WriteLine(identity.Mint(settings, parseResult.GetValue(ttl)));
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }
}
