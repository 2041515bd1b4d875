using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using MynaTerminal.ClinicLink;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Results;

namespace MynaTerminal.Simulation;

/// <summary>
/// The clinic side in simulation: a separate MQTT client, as a reception system would be, that receives each
/// <c>event/verification</c> and answers on <c>request/eligibility</c> with the name to greet and the status
/// the eligibility system would give (有効, plus the renewal notices for expiring certificates).
/// </summary>
public sealed class SimulatedClinic(MqttClinicLink link, ICardSlotSimulator cards, ILogger<SimulatedClinic> log) : BackgroundService
{
    /// <summary>Client ids of simulated clinics start with this (the simulator does not count them as observers).</summary>
    public const string ClientIdPrefix = "simulated-clinic-";

    private static readonly MqttClientFactory Factory = new();

    /// <summary>Answers sent so far (tests and the console read it).</summary>
    public int AnswersSent => _answers;

    private int _answers;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var client = Factory.CreateMqttClient();
        client.ApplicationMessageReceivedAsync += async e =>
        {
            try
            {
                var verification = JsonSerializer.Deserialize(e.ApplicationMessage.Payload.FirstSpan, ClinicLinkJsonContext.Default.VerificationPayload);
                if (verification is not null)
                {
                    await AnswerAsync(client, verification, stoppingToken);
                }
            }
            catch (JsonException ex)
            {
                log.LogWarning(ex, "The simulated clinic got a verification it cannot read");
            }
        };

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!client.IsConnected)
                {
                    var (host, port) = link.BrokerEndpoint;
                    var options = Factory.CreateClientOptionsBuilder()
                        .WithTcpServer(host, port)
                        .WithClientId(ClientIdPrefix + link.Topics.TerminalId)
                        .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                        .WithCleanStart(false)
                        .WithSessionExpiryInterval(3600)
                        .Build();
                    await client.ConnectAsync(options, stoppingToken);
                    await client.SubscribeAsync(Factory.CreateSubscribeOptionsBuilder()
                        .WithTopicFilter(link.Topics.VerificationEvent, MqttQualityOfServiceLevel.AtLeastOnce)
                        .Build(), stoppingToken);
                }

                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException or MQTTnet.Adapter.MqttConnectingFailedException)
            {
                log.LogDebug(ex, "The simulated clinic waits for the broker");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        if (client.IsConnected)
        {
            await client.DisconnectAsync(cancellationToken: CancellationToken.None);
        }
    }

    private async Task AnswerAsync(IMqttClient client, VerificationPayload verification, CancellationToken cancellationToken)
    {
        var holder = cards.HolderOf(verification.Certificate.SerialNumber);
        var notices = new List<string>();
        if (verification.Certificate.Expiry is CertificateExpiry.ExpiringSoon or CertificateExpiry.ExpiredInGrace)
        {
            notices.Add("電子証明書の有効期限が近づいています（または切れています）。お住まいの市区町村で更新してください。");
        }

        var answer = new EligibilityAnswer(
            verification.Id,
            holder is null ? EligibilityStatus.NotFound : EligibilityStatus.Valid,
            holder?.GreetingName,
            notices);
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(link.Topics.Request(MqttTopics.Requests.Eligibility))
            .WithPayload(ClinicLinkJson.Serialize(EligibilityRequestPayload.From(answer)))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        await client.PublishAsync(message, cancellationToken);
        Interlocked.Increment(ref _answers);
    }
}

public static class SimulatedClinicServiceCollectionExtensions
{
    /// <summary>Adds the simulated reception system that answers eligibility over MQTT.</summary>
    public static IServiceCollection AddSimulatedClinic(this IServiceCollection services) =>
        services.AddHostedService<SimulatedClinic>();
}
