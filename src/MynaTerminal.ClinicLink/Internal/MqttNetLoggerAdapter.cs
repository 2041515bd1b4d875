using System.Globalization;
using Microsoft.Extensions.Logging;
using MQTTnet.Diagnostics.Logger;

namespace MynaTerminal.ClinicLink.Internal;

/// <summary>
/// Forwards MQTTnet's own log to <see cref="ILogger"/> (verbose → trace, info → debug, warning and error
/// as they are, but never above <paramref name="maxLevel"/>: the link logs the failures it handles itself).
/// </summary>
internal sealed class MqttNetLoggerAdapter(ILogger logger, LogLevel maxLevel = LogLevel.Error) : IMqttNetLogger
{
    public bool IsEnabled => logger.IsEnabled(LogLevel.Trace) || logger.IsEnabled(LogLevel.Debug) || logger.IsEnabled(LogLevel.Warning);

    public void Publish(MqttNetLogLevel logLevel, string source, string message, object[] parameters, Exception exception)
    {
        var level = logLevel switch
        {
            MqttNetLogLevel.Verbose => LogLevel.Trace,
            MqttNetLogLevel.Info => LogLevel.Debug,
            MqttNetLogLevel.Warning => LogLevel.Warning,
            _ => LogLevel.Error,
        };
        if (level > maxLevel)
        {
            level = maxLevel;
        }

        if (!logger.IsEnabled(level))
        {
            return;
        }

        var text = message;
        if (parameters is { Length: > 0 })
        {
            try
            {
                text = string.Format(CultureInfo.InvariantCulture, message, parameters);
            }
            catch (FormatException)
            {
                // Keep the unformatted message.
            }
        }

#pragma warning disable CA1848, CA2254 // MQTTnet hands us free text; there is no template to cache.
        logger.Log(level, exception, "[{Source}] {Message}", source, text);
#pragma warning restore CA1848, CA2254
    }
}
