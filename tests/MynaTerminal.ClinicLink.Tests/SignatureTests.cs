using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Configuration;
using MynaTerminal.ClinicLink.Tests.Support;

namespace MynaTerminal.ClinicLink.Tests;

/// <summary>The detached ES256 JWS on event/verification and the device key behind it.</summary>
public sealed class SignatureTests
{
    // RFC 7515 Appendix A.3: the ES256 example (key, header, payload, signature).
    private const string RfcX = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    private const string RfcY = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
    private const string RfcHeader = "eyJhbGciOiJFUzI1NiJ9";
    private const string RfcPayload = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
    private const string RfcSignature = "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] FromBase64Url(string text) =>
        Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (text.Length % 4)) % 4));

    /// <summary>The public key exactly as a receiver gets it: from the serialized retained info.</summary>
    private static DeviceKeyJwk KeyFromInfo(byte[] info) =>
        JsonSerializer.Deserialize(info, ClinicLinkJsonContext.Default.InfoPayload)!.DeviceKey;

    [Fact]
    public void The_RFC_7515_A3_example_verifies_as_a_detached_JWS_and_its_key_has_the_RFC_7638_thumbprint()
    {
        var key = new DeviceKeyJwk("EC", "P-256", RfcX, RfcY, DeviceKeyJwk.Thumbprint(RfcX, RfcY), "ES256", "sig");
        Assert.Equal("oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U", key.Kid); // computed independently (Python hashlib)
        Assert.True(key.IsConsistent());

        var payload = FromBase64Url(RfcPayload);
        Assert.Equal(SignatureStatus.Valid, VerificationSignature.VerifyDetached(payload, $"{RfcHeader}..{RfcSignature}", key));

        payload[^2] ^= 1;
        Assert.Equal(SignatureStatus.Invalid, VerificationSignature.VerifyDetached(payload, $"{RfcHeader}..{RfcSignature}", key));
    }

    [Fact]
    public void A_signed_verification_is_the_payload_plus_a_last_signature_member_over_its_exact_bytes()
    {
        using var key = DeviceKey.CreateEphemeral();
        var payload = VerificationPayload.From(Samples.FaceVerification(), "t-1");
        var unsigned = ClinicLinkJson.Serialize(payload);

        var message = payload.Sign(key);

        var text = Encoding.UTF8.GetString(message);
        Assert.StartsWith(Encoding.UTF8.GetString(unsigned)[..^1] + ",\"signature\":\"", text, StringComparison.Ordinal);
        Assert.EndsWith("\"}", text, StringComparison.Ordinal);
        var root = JsonDocument.Parse(message).RootElement;
        Assert.Equal("signature", root.EnumerateObject().Last().Name);

        Assert.True(VerificationSignature.TrySplit(message, out var signed, out var jws));
        Assert.Equal(unsigned, signed);
        Assert.Equal(root.GetProperty("signature").GetString(), jws);

        // Compact serialization, detached payload: header..signature with header {"alg":"ES256","kid":<thumbprint>}.
        var parts = jws.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.Empty(parts[1]);
        var header = JsonDocument.Parse(FromBase64Url(parts[0])).RootElement;
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal(key.KeyId, header.GetProperty("kid").GetString());
        Assert.Equal(64, FromBase64Url(parts[2]).Length);

        // Checked here without the project's verifier: plain ECDSA over header '.' BASE64URL(signed bytes).
        using var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = FromBase64Url(key.PublicJwk.X), Y = FromBase64Url(key.PublicJwk.Y) },
        });
        var input = Encoding.ASCII.GetBytes(parts[0] + "." + Convert.ToBase64String(signed).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
        Assert.True(ecdsa.VerifyData(input, FromBase64Url(parts[2]), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void A_receiver_verifies_with_only_the_public_key_from_info_and_any_change_fails()
    {
        using var key = DeviceKey.CreateEphemeral();
        var info = ClinicLinkJson.Serialize(InfoPayload.Create("t-1", "1.0", MqttClinicLink.Capabilities, key.PublicJwk));
        var published = KeyFromInfo(info);
        var message = VerificationPayload.From(Samples.FaceVerification(), "t-1").Sign(key);

        Assert.Equal(SignatureStatus.Valid, VerificationSignature.Verify(message, published));

        // Tampered content: still valid JSON, different meaning.
        var text = Encoding.UTF8.GetString(message);
        Assert.Contains("\"medicalInformationShared\":true", text, StringComparison.Ordinal);
        var tampered = Encoding.UTF8.GetBytes(text.Replace("\"medicalInformationShared\":true", "\"medicalInformationShared\":false", StringComparison.Ordinal));
        Assert.Equal(SignatureStatus.Invalid, VerificationSignature.Verify(tampered, published));
        var otherTerminal = Encoding.UTF8.GetBytes(text.Replace("\"terminalId\":\"t-1\"", "\"terminalId\":\"t-2\"", StringComparison.Ordinal));
        Assert.Equal(SignatureStatus.Invalid, VerificationSignature.Verify(otherTerminal, published));

        // Whitespace added by a re-serializer breaks it too: receivers must verify the bytes as received.
        var pretty = Encoding.UTF8.GetBytes(text.Replace(",\"method\"", ", \"method\"", StringComparison.Ordinal));
        Assert.Equal(SignatureStatus.Invalid, VerificationSignature.Verify(pretty, published));

        // A flipped signature bit, a missing signature, a malformed one.
        var flipped = (byte[])message.Clone();
        flipped[^4] = flipped[^4] == (byte)'A' ? (byte)'B' : (byte)'A';
        Assert.Equal(SignatureStatus.Invalid, VerificationSignature.Verify(flipped, published));
        Assert.Equal(SignatureStatus.Missing, VerificationSignature.Verify(ClinicLinkJson.Serialize(VerificationPayload.From(Samples.FaceVerification(), "t-1")), published));
        Assert.Equal(SignatureStatus.Missing, VerificationSignature.Verify(Encoding.UTF8.GetBytes(text.Replace("\"}", "\" }", StringComparison.Ordinal)), published));
        var noKid = Encoding.UTF8.GetBytes(text[..(text.LastIndexOf(",\"signature\":\"", StringComparison.Ordinal) + 14)] + "eyJhbGciOiJub25lIn0..AAAA\"}");
        Assert.Equal(SignatureStatus.Malformed, VerificationSignature.Verify(noKid, published)); // {"alg":"none"}

        // Another terminal's key: named by its kid, refused before any maths.
        using var other = DeviceKey.CreateEphemeral();
        Assert.Equal(SignatureStatus.OtherKey, VerificationSignature.Verify(message, other.PublicJwk));
        Assert.Equal(SignatureStatus.Invalid, VerificationSignature.Verify(message, other.PublicJwk with { Kid = key.KeyId }));
    }

    private static string Example(string name) => Path.Combine(AppContext.BaseDirectory, "mqtt", "examples", name);

    [Fact]
    public void The_worked_example_in_the_docs_verifies_with_the_key_from_its_info_and_matches_the_schemas()
    {
        var info = File.ReadAllBytes(Example("info.example.json"));
        var message = File.ReadAllBytes(Example("verification.example.json"));

        Assert.Equal(SignatureStatus.Valid, VerificationSignature.Verify(message, KeyFromInfo(info)));
        Assert.True(KeyFromInfo(info).IsConsistent());
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(message).Replace("\"agreed\":false", "\"agreed\":true", StringComparison.Ordinal));
        Assert.Equal(SignatureStatus.Invalid, VerificationSignature.Verify(tampered, KeyFromInfo(info)));

        foreach (var (schema, bytes) in new[] { ("info", info), ("verification", message) })
        {
            var schemaElement = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "mqtt", "schemas", schema + ".schema.json"))).RootElement;
            Assert.Empty(MiniJsonSchema.Validate(schemaElement, JsonDocument.Parse(bytes).RootElement));
        }
    }

    [Fact]
    public async Task The_openssl_recipe_in_the_docs_verifies_real_messages_and_refuses_tampered_ones()
    {
        if (!File.Exists("/usr/bin/openssl") || !File.Exists("/bin/sh"))
        {
            Assert.Skip("openssl or /bin/sh is missing.");
        }

        using var dir = new TempDirectory();
        var info = dir.File("info.json");
        File.WriteAllBytes(info, ClinicLinkJson.Serialize(InfoPayload.Create("t-1", "1.0", MqttClinicLink.Capabilities, Samples.Key.PublicJwk)));
        var message = VerificationPayload.From(Samples.FaceVerification(), "t-1").Sign(Samples.Key);
        File.WriteAllBytes(dir.File("good.json"), message);
        File.WriteAllBytes(dir.File("bad.json"), Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(message).Replace("\"liveness\":true", "\"liveness\":false", StringComparison.Ordinal)));

        async Task<(int Code, string Output)> RunAsync(string infoFile, string messageFile)
        {
            var start = new System.Diagnostics.ProcessStartInfo("/bin/sh", [Example("verify-signature.sh"), infoFile, messageFile])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = System.Diagnostics.Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync(Ct) + await process.StandardError.ReadToEndAsync(Ct);
            await process.WaitForExitAsync(Ct);
            return (process.ExitCode, output);
        }

        var good = await RunAsync(info, dir.File("good.json"));
        Assert.True(good.Code == 0, good.Output);
        Assert.Contains("Verified OK", good.Output, StringComparison.Ordinal);
        var example = await RunAsync(Example("info.example.json"), Example("verification.example.json"));
        Assert.True(example.Code == 0, example.Output);
        var bad = await RunAsync(info, dir.File("bad.json"));
        Assert.NotEqual(0, bad.Code);
        Assert.DoesNotContain("Verified OK", bad.Output, StringComparison.Ordinal);
        var otherKey = await RunAsync(Example("info.example.json"), dir.File("good.json"));
        Assert.NotEqual(0, otherKey.Code);
    }

    [Fact]
    public void The_device_key_is_created_once_with_mode_0600_and_the_same_key_comes_back()
    {
        using var dir = new TempDirectory();
        var path = dir.File("keys/device-key.pem");

        string kid;
        using (var created = DeviceKey.LoadOrCreate(path))
        {
            kid = created.KeyId;
            Assert.Equal(path, created.Path);
        }

        Assert.True(File.Exists(path));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        Assert.Single(Directory.GetFiles(dir.File("keys"))); // no temporary left behind
        using var again = DeviceKey.LoadOrCreate(path);
        Assert.Equal(kid, again.KeyId);
        Assert.True(again.PublicJwk.IsConsistent());
    }

    public static TheoryData<string, string> BadKeyFiles => new()
    {
        { "empty", "" },
        { "garbage", "not a key at all\n" },
        { "truncated", "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END PRIVATE KEY-----\n" },
        { "P-384", ECDsa.Create(ECCurve.NamedCurves.nistP384).ExportPkcs8PrivateKeyPem() },
        { "RSA", RSA.Create(2048).ExportPkcs8PrivateKeyPem() },
        { "public only", ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportSubjectPublicKeyInfoPem() },
    };

    [Theory]
    [MemberData(nameof(BadKeyFiles))]
    public void A_corrupt_device_key_file_stops_the_start_with_a_clear_error_and_is_left_untouched(string name, string content)
    {
        using var dir = new TempDirectory();
        var path = dir.File("device-key.pem");
        File.WriteAllText(path, content);

        var error = Assert.Throws<InvalidOperationException>(() => DeviceKey.LoadOrCreate(path));

        Assert.Contains("ClinicLink:DeviceKeyPath", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(path));
        Assert.False(string.IsNullOrEmpty(name));
    }

    [Fact]
    public async Task A_host_with_a_corrupt_device_key_does_not_start()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("device-key.pem"), "garbage");
        var settings = LinkHost.FastSettings("t-badkey");
        settings["OutboxPath"] = dir.File("outbox.db");
        settings["EmbeddedPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LinkHost.StartAsync(settings, Ct));
        Assert.Contains("ClinicLink:DeviceKeyPath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_device_key_lives_beside_the_outbox_unless_configured_and_in_memory_without_a_durable_outbox()
    {
        Assert.Equal(ClinicLinkOptions.DefaultDeviceKeyPath, new ClinicLinkOptions().EffectiveDeviceKeyPath);
        Assert.Equal("/tmp/sim/device-key.pem", new ClinicLinkOptions { OutboxPath = "/tmp/sim/outbox.db" }.EffectiveDeviceKeyPath);
        Assert.Equal("/etc/k.pem", new ClinicLinkOptions { OutboxPath = "", DeviceKeyPath = "/etc/k.pem" }.EffectiveDeviceKeyPath);
        Assert.Null(new ClinicLinkOptions { OutboxPath = "" }.EffectiveDeviceKeyPath);
        Assert.Null(new ClinicLinkOptions { DeviceKeyPath = "" }.EffectiveDeviceKeyPath);
        Assert.Null(DeviceKey.FromOptions(new ClinicLinkOptions { OutboxPath = "" }).Path);
        Assert.NotEmpty(TopicsAndOptionsTests.Validate(new ClinicLinkOptions { DeviceKeyPath = "relative/key.pem" }));
    }

    [Fact]
    public async Task A_verification_replayed_from_the_outbox_after_a_restart_carries_the_same_valid_signature()
    {
        using var dir = new TempDirectory();
        var port = FreePort.Next();
        var settings = LinkHost.FastSettings("t-replay");
        settings["OutboxPath"] = dir.File("outbox.db");
        settings["EmbeddedPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var result = Samples.FaceVerification();

        // Nobody subscribes: the verification stays in the outbox, signed, when the terminal stops.
        string firstKid;
        await using (var first = await LinkHost.StartAsync(settings, Ct))
        {
            firstKid = first.Link.DeviceKey.KeyId;
            await first.Link.EnqueueVerificationAsync(result, Ct);
        }

        byte[] stored;
        using (var outbox = new SqliteVerificationOutbox(dir.File("outbox.db")))
        {
            stored = (await outbox.PeekPendingAsync(Ct))!.Payload.ToArray();
        }

        SqliteConnection.ClearAllPools();
        await using var second = await LinkHost.StartAsync(settings, Ct);
        Assert.Equal(firstKid, second.Link.DeviceKey.KeyId); // the same key file
        await using var clinic = await TestClient.ConnectAsync(port, "clinic", cancellationToken: Ct);
        await clinic.SubscribeAsync("mynaterm/t-replay/#", Ct);

        var info = await clinic.WaitForAsync(m => m.Topic == "mynaterm/t-replay/info", cancellationToken: Ct);
        var delivered = await clinic.WaitForAsync(m => m.Topic == "mynaterm/t-replay/event/verification", cancellationToken: Ct);

        var bytes = Encoding.UTF8.GetBytes(delivered.Payload);
        Assert.Equal(stored, bytes);
        Assert.Equal(SignatureStatus.Valid, VerificationSignature.Verify(bytes, KeyFromInfo(Encoding.UTF8.GetBytes(info.Payload))));
        Assert.Equal(result.Id, JsonDocument.Parse(bytes).RootElement.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task The_outbox_stores_the_signed_message_that_is_published()
    {
        var port = FreePort.Next();
        var settings = LinkHost.FastSettings("t-signed");
        settings["EmbeddedPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var host = await LinkHost.StartAsync(settings, Ct);
        await using var clinic = await TestClient.ConnectAsync(port, "clinic", cancellationToken: Ct);
        await clinic.SubscribeAsync("mynaterm/t-signed/#", Ct);

        await host.Link.EnqueueVerificationAsync(Samples.FaceVerification(), Ct);

        var info = await clinic.WaitForAsync(m => m.Topic.EndsWith("/info", StringComparison.Ordinal), cancellationToken: Ct);
        var delivered = await clinic.WaitForAsync(m => m.Topic.EndsWith("/event/verification", StringComparison.Ordinal), cancellationToken: Ct);
        var key = KeyFromInfo(Encoding.UTF8.GetBytes(info.Payload));
        Assert.Equal(host.Link.DeviceKey.KeyId, key.Kid);
        Assert.True(key.IsConsistent());
        Assert.Equal(SignatureStatus.Valid, VerificationSignature.Verify(Encoding.UTF8.GetBytes(delivered.Payload), key));
    }
}
