using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using MQTTnet;
using MynaTerminal.ClinicLink.Tests.Support;
using MynaTerminal.ClinicLink.Tools;

namespace MynaTerminal.ClinicLink.Tests;

/// <summary>
/// Certificates and keys made at test time (never committed) for a private mosquitto: a clinic CA, the broker's
/// certificate for 127.0.0.1, a terminal's client certificate, and a stranger CA.
/// </summary>
internal sealed class TestPki : IDisposable
{
    public TestPki()
    {
        Directory = PrivateMosquitto.NewDirectory();
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ca = SelfSignedCa("CN=MynaTerminal test clinic CA (TEST ONLY)", caKey);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var other = SelfSignedCa("CN=Some other CA (TEST ONLY)", otherKey);

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        using var server = serverRequest.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), [1, 2, 3, 4]);

        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientRequest = new CertificateRequest("CN=t-mtls", clientKey, HashAlgorithmName.SHA256);
        clientRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var client = clientRequest.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), [5, 6, 7, 8]);

        CaFile = Write("ca.crt", ca.ExportCertificatePem());
        OtherCaFile = Write("other-ca.crt", other.ExportCertificatePem());
        ServerCertificateFile = Write("server.crt", server.ExportCertificatePem());
        ServerKeyFile = Write("server.key", serverKey.ExportPkcs8PrivateKeyPem());
        ClientCertificateFile = Write("client.crt", client.ExportCertificatePem());
        ClientKeyFile = Write("client.key", clientKey.ExportPkcs8PrivateKeyPem());
        ServerPin = TlsSettings.PinOf(server);
        CaPin = TlsSettings.PinOf(ca);
        ca.Dispose();
        other.Dispose();
    }

    public string Directory { get; }

    public string CaFile { get; }

    public string OtherCaFile { get; }

    public string ServerCertificateFile { get; }

    public string ServerKeyFile { get; }

    public string ClientCertificateFile { get; }

    public string ClientKeyFile { get; }

    public string ServerPin { get; }

    public string CaPin { get; }

    public string Write(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        PrivateMosquitto.MakeReadableByBroker(path); // group mosquitto, 0640: the broker reads it after dropping root
        return path;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A test CA that outlives the certificates it issues (a leaf may not end after its issuer).</summary>
    private static X509Certificate2 SelfSignedCa(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
    }
}

/// <summary>
/// The link against a real mosquitto with TLS, mutual TLS, passwords, certificate pins and the example ACL of
/// docs/mqtt/mosquitto: what connects, what is refused, and what a terminal may publish.
/// </summary>
public sealed class MosquittoSecurityTests
{
    private const string Password = "terminal-password";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string P(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>One broker: an anonymous plain listener for observers, TLS + password, and mutual TLS.</summary>
    private static async Task<(PrivateMosquitto Broker, int Plain, int Tls, int Mtls)> StartTlsBrokerAsync(TestPki pki)
    {
        var (plain, tls, mtls) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
        var passwd = pki.Write("passwd", string.Empty);
        RunPasswd(passwd, "t-tls", Password);
        PrivateMosquitto.MakeReadableByBroker(passwd);
        var broker = PrivateMosquitto.Create(plain, $"""
            per_listener_settings true
            persistence false
            set_tcp_nodelay true

            listener {P(plain)} 127.0.0.1
            allow_anonymous true

            listener {P(tls)} 127.0.0.1
            allow_anonymous false
            password_file {passwd}
            cafile {pki.CaFile}
            certfile {pki.ServerCertificateFile}
            keyfile {pki.ServerKeyFile}
            tls_version tlsv1.2

            listener {P(mtls)} 127.0.0.1
            allow_anonymous false
            cafile {pki.CaFile}
            certfile {pki.ServerCertificateFile}
            keyfile {pki.ServerKeyFile}
            require_certificate true
            use_identity_as_username true
            """, pki.Directory);
        await broker.StartAsync(Ct);
        return (broker, plain, tls, mtls);
    }

    private static void RunPasswd(string file, string user, string password)
    {
        using var process = Process.Start(new ProcessStartInfo("/usr/bin/mosquitto_passwd", ["-b", file, user, password]) { UseShellExecute = false, RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    private static void SkipIfMissing()
    {
        MosquittoBroker.SkipIfMissing();
        if (!File.Exists("/usr/bin/mosquitto_passwd"))
        {
            Assert.Skip("mosquitto_passwd is missing (Debian package mosquitto).");
        }
    }

    private static Task<LinkHost> StartLinkAsync(string terminalId, int port, Action<Dictionary<string, string?>> configure)
    {
        var settings = LinkHost.FastSettings(terminalId);
        settings["Broker"] = "127.0.0.1";
        settings["Port"] = P(port);
        configure(settings);
        return LinkHost.StartAsync(settings, Ct);
    }

    /// <summary>The link delivers one signed verification through the secured listener to a plain observer.</summary>
    private static async Task AssertDeliversAsync(LinkHost host, int plainPort)
    {
        await host.Link.WaitUntilOnlineAsync(Ct).WaitAsync(TestClient.DefaultTimeout, Ct);
        await using var observer = await TestClient.ConnectAsync(plainPort, "observer-" + Guid.NewGuid().ToString("N"), cancellationToken: Ct);
        await observer.SubscribeAsync($"{host.Link.Topics.Base}#", Ct);
        var result = Samples.FaceVerification();
        await host.Link.EnqueueVerificationAsync(result, Ct);
        var message = await observer.WaitForAsync(m => m.Topic.EndsWith("/event/verification", StringComparison.Ordinal), cancellationToken: Ct);
        Assert.Equal(result.Id, JsonDocument.Parse(message.Payload).RootElement.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Tls_with_a_private_ca_and_a_password_connects_and_delivers()
    {
        SkipIfMissing();
        using var pki = new TestPki();
        var (broker, plain, tls, _) = await StartTlsBrokerAsync(pki);
        await using var _ = broker;

        await using var host = await StartLinkAsync("t-tls", tls, s =>
        {
            s["UseTls"] = "true";
            s["CaCertificateFile"] = pki.CaFile;
            s["Username"] = "t-tls";
            s["Password"] = Password;
        });

        await AssertDeliversAsync(host, plain);
        Assert.Contains("on port " + P(tls), broker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mutual_tls_connects_with_the_terminals_client_certificate_and_the_right_pin()
    {
        SkipIfMissing();
        using var pki = new TestPki();
        var (broker, plain, _, mtls) = await StartTlsBrokerAsync(pki);
        await using var _ = broker;

        await using var host = await StartLinkAsync("t-mtls", mtls, s =>
        {
            s["UseTls"] = "true";
            s["CaCertificateFile"] = pki.CaFile;
            s["ClientCertificateFile"] = pki.ClientCertificateFile;
            s["ClientKeyFile"] = pki.ClientKeyFile;
            s["CertificatePins:0"] = "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; // a spare pin that matches nothing
            s["CertificatePins:1"] = pki.CaPin; // the CA's key: the chain matches
        });

        await AssertDeliversAsync(host, plain);
        Assert.Contains("u't-mtls'", broker.Output, StringComparison.Ordinal); // the certificate's CN became the user name
    }

    public static TheoryData<string> RefusedSetups => ["no client certificate", "wrong CA", "pin mismatch", "wrong password", "system trust only"];

    [Theory]
    [MemberData(nameof(RefusedSetups))]
    public async Task A_setup_that_must_not_connect_never_goes_online_and_says_why(string setup)
    {
        SkipIfMissing();
        using var pki = new TestPki();
        var (broker, _, tls, mtls) = await StartTlsBrokerAsync(pki);
        await using var _ = broker;

        var (port, expected, configure) = setup switch
        {
            "no client certificate" => (mtls, "failed", (Action<Dictionary<string, string?>>)(s => s["CaCertificateFile"] = pki.CaFile)),
            "wrong CA" => (tls, "does not chain to the configured CA", s =>
            {
                s["CaCertificateFile"] = pki.OtherCaFile;
                s["Username"] = "t-tls";
                s["Password"] = Password;
            }),
            "pin mismatch" => (tls, "no certificate pin matches", s =>
            {
                s["CaCertificateFile"] = pki.CaFile;
                s["CertificatePins:0"] = TlsSettings.PinPrefix + Convert.ToBase64String(SHA256.HashData("another key"u8));
                s["Username"] = "t-tls";
                s["Password"] = Password;
            }),
            "wrong password" => (tls, "NotAuthorized", s =>
            {
                s["CaCertificateFile"] = pki.CaFile;
                s["Username"] = "t-tls";
                s["Password"] = "guess";
            }),
            _ => (tls, "not trusted by the system", s =>
            {
                s["Username"] = "t-tls";
                s["Password"] = Password;
            }),
        };

        await using var host = await StartLinkAsync("t-refused", port, s =>
        {
            s["UseTls"] = "true";
            configure(s);
        });

        // The link tries, fails with the reason in its log, and keeps trying: it never goes online.
        var refusal = await host.Logs.WaitForAsync(l => l.Contains("failed", StringComparison.Ordinal) && l.Contains("Connecting to", StringComparison.Ordinal), TestClient.DefaultTimeout, Ct);
        var reasons = await host.Logs.WaitForAsync(l => l.Contains(expected, StringComparison.Ordinal), TestClient.DefaultTimeout, Ct);
        Assert.False(host.Link.IsOnline, refusal + "\n" + reasons);
        Assert.DoesNotContain("u't-refused'", broker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Tls_options_are_validated()
    {
        using var pki = new TestPki();
        var valid = new ClinicLinkOptions
        {
            OutboxPath = "",
            Broker = "mqtt.clinic.lan",
            UseTls = true,
            CaCertificateFile = pki.CaFile,
            ClientCertificateFile = pki.ClientCertificateFile,
            ClientKeyFile = pki.ClientKeyFile,
            CertificatePins = [pki.ServerPin],
        };
        Assert.Empty(TopicsAndOptionsTests.Validate(valid));
        Assert.True(TlsSettings.IsValidPin(pki.ServerPin));

        Assert.NotEmpty(TopicsAndOptionsTests.Validate(new ClinicLinkOptions { OutboxPath = "", Broker = "b", UseTls = true, ClientCertificateFile = pki.ClientCertificateFile }));
        Assert.NotEmpty(TopicsAndOptionsTests.Validate(new ClinicLinkOptions { OutboxPath = "", Broker = "b", UseTls = true, CaCertificateFile = pki.CaFile + ".missing" }));
        Assert.NotEmpty(TopicsAndOptionsTests.Validate(new ClinicLinkOptions { OutboxPath = "", Broker = "b", UseTls = true, CertificatePins = ["sha1/abc"] }));
        Assert.NotEmpty(TopicsAndOptionsTests.Validate(new ClinicLinkOptions { OutboxPath = "", Broker = "b", UseTls = true, CertificatePins = ["sha256/AAAA"] }));
        Assert.NotEmpty(TopicsAndOptionsTests.Validate(new ClinicLinkOptions { OutboxPath = "", Broker = "b", CertificatePins = [pki.ServerPin] }));
    }

    // ---- the example ACL ------------------------------------------------------------------------------

    private static async Task<(PrivateMosquitto Broker, int Port)> StartAclBrokerAsync(TestPki pki)
    {
        var acl = Path.Combine(AppContext.BaseDirectory, "mqtt", "mosquitto", "mynaterm.acl");
        Assert.True(File.Exists(acl), $"{acl} is missing; docs/mqtt/mosquitto is copied to the test output.");
        var aclCopy = pki.Write("mynaterm.acl", File.ReadAllText(acl));
        var passwd = pki.Write("passwd", string.Empty);
        foreach (var user in new[] { "terminal-a", "terminal-b", "clinic-gateway" })
        {
            RunPasswd(passwd, user, Password);
        }

        PrivateMosquitto.MakeReadableByBroker(passwd);
        var port = FreePort.Next();
        var broker = PrivateMosquitto.Create(port, $"""
            per_listener_settings false
            persistence false
            set_tcp_nodelay true
            allow_anonymous false
            password_file {passwd}
            acl_file {aclCopy}
            listener {P(port)} 127.0.0.1
            """, pki.Directory);
        await broker.StartAsync(Ct);
        return (broker, port);
    }

    [Fact]
    public async Task The_example_acl_confines_each_terminal_to_its_own_topics_and_lets_the_gateway_read_all_and_send_requests()
    {
        SkipIfMissing();
        using var pki = new TestPki();
        var (broker, port) = await StartAclBrokerAsync(pki);
        await using var _ = broker;

        // The real link, logged in as terminal-a, works under the ACL: will, retained topics, requests, responses.
        await using var host = await StartLinkAsync("terminal-a", port, s =>
        {
            s["Username"] = "terminal-a";
            s["Password"] = Password;
        });
        await host.Link.WaitUntilOnlineAsync(Ct).WaitAsync(TestClient.DefaultTimeout, Ct);
        await using var gateway = await TestClient.ConnectAsync(port, "gateway", cancellationToken: Ct, username: "clinic-gateway", password: Password);
        await gateway.SubscribeAsync("mynaterm/#", Ct);
        await gateway.WaitForAsync(m => m.Topic == "mynaterm/terminal-a/info", cancellationToken: Ct);
        var result = Samples.FaceVerification();
        await host.Link.EnqueueVerificationAsync(result, Ct);
        await gateway.WaitForAsync(m => m.Topic == "mynaterm/terminal-a/event/verification", cancellationToken: Ct);
        await gateway.PublishAsync("mynaterm/terminal-a/request/selftest", "", cancellationToken: Ct);
        await gateway.WaitForAsync(m => m.Topic == "mynaterm/terminal-a/response/selftest", cancellationToken: Ct);

        // terminal-a (another client with its credentials) cannot write terminal-b's topics: refused (0x87) ...
        await using var intruder = await TestClient.ConnectAsync(port, "intruder", cancellationToken: Ct, username: "terminal-a", password: Password);
        foreach (var topic in new[] { "mynaterm/terminal-b/event/verification", "mynaterm/terminal-b/info", "mynaterm/terminal-b/availability", "mynaterm/terminal-b/request/cancel" })
        {
            var refused = await intruder.PublishAsync(topic, "{\"forged\":true}", cancellationToken: Ct);
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, refused.ReasonCode);
        }

        // ... nor send requests, even to itself.
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await intruder.PublishAsync("mynaterm/terminal-a/request/mode", "{\"mode\":\"outOfService\"}", cancellationToken: Ct)).ReasonCode);

        // A marker on its own topic arrives at the gateway after the refused ones: none of those got through.
        await intruder.PublishAsync("mynaterm/terminal-a/event/alert", "{\"marker\":1}", cancellationToken: Ct);
        await gateway.WaitForAsync(m => m.Payload.Contains("marker", StringComparison.Ordinal), cancellationToken: Ct);
        Assert.DoesNotContain(gateway.Received, m => m.Topic.StartsWith("mynaterm/terminal-b/", StringComparison.Ordinal) || m.Payload.Contains("forged", StringComparison.Ordinal));

        // A terminal does not even see other terminals: mosquitto grants the wildcard (it checks each message on
        // delivery), but neither terminal-b's events nor the gateway's requests to terminal-b reach terminal-a.
        await intruder.TrySubscribeAsync("mynaterm/#", Ct);
        await using var terminalB = await TestClient.ConnectAsync(port, "terminal-b", cancellationToken: Ct, username: "terminal-b", password: Password);
        await terminalB.SubscribeAsync("mynaterm/terminal-b/request/#", Ct);
        Assert.Equal(MqttClientPublishReasonCode.Success, (await terminalB.PublishAsync("mynaterm/terminal-b/event/alert", "{\"secret\":1}", cancellationToken: Ct)).ReasonCode);
        await gateway.WaitForAsync(m => m.Payload.Contains("secret", StringComparison.Ordinal), cancellationToken: Ct);
        await gateway.PublishAsync("mynaterm/terminal-b/request/cancel", "{\"transaction\":\"secret-request\"}", cancellationToken: Ct);
        await terminalB.WaitForAsync(m => m.Payload.Contains("secret-request", StringComparison.Ordinal), cancellationToken: Ct);
        // Ordered after them: a request to terminal-a, which it may read (its own events it may only write).
        await gateway.PublishAsync("mynaterm/terminal-a/request/marker", "{\"marker\":2}", cancellationToken: Ct);
        await intruder.WaitForAsync(m => m.Payload.Contains("\"marker\":2", StringComparison.Ordinal), cancellationToken: Ct);
        Assert.DoesNotContain(intruder.Received, m => m.Payload.Contains("secret", StringComparison.Ordinal));

        // The gateway cannot pose as a terminal either.
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await gateway.PublishAsync("mynaterm/terminal-a/event/verification", "{}", cancellationToken: Ct)).ReasonCode);
    }
}
