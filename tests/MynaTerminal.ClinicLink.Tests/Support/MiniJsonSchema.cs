using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MynaTerminal.ClinicLink.Tests.Support;

/// <summary>
/// A validator for the subset of JSON Schema (draft 2020-12) that docs/mqtt/schemas uses: type (one or an
/// array, for nullable), const, enum, required, properties, additionalProperties:false, items, format
/// (date-time, uuid), pattern, maxLength, maxItems, minimum. Any other keyword is refused, so a schema cannot
/// silently use something this validator ignores.
/// </summary>
internal static partial class MiniJsonSchema
{
    private static readonly HashSet<string> Annotations = ["$schema", "$id", "title", "description", "contentEncoding"];

    /// <summary>Every violation, as "path: message"; empty when <paramref name="instance"/> is valid.</summary>
    public static List<string> Validate(JsonElement schema, JsonElement instance)
    {
        var errors = new List<string>();
        Check(schema, instance, "$", errors);
        return errors;
    }

    private static void Check(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        foreach (var keyword in schema.EnumerateObject())
        {
            if (Annotations.Contains(keyword.Name))
            {
                continue;
            }

            var k = keyword.Value;
            switch (keyword.Name)
            {
                case "type":
                    var types = k.ValueKind == JsonValueKind.Array ? k.EnumerateArray().Select(t => t.GetString()!).ToList() : [k.GetString()!];
                    if (!types.Any(t => HasType(value, t)))
                    {
                        errors.Add($"{path}: {value.ValueKind} is not of type {string.Join("|", types)}");
                        return;
                    }

                    break;
                case "const":
                    if (!JsonElement.DeepEquals(k, value))
                    {
                        errors.Add($"{path}: {value} is not {k}");
                    }

                    break;
                case "enum":
                    if (!k.EnumerateArray().Any(e => JsonElement.DeepEquals(e, value)))
                    {
                        errors.Add($"{path}: {value} is not one of {k}");
                    }

                    break;
                case "required":
                    if (value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var name in k.EnumerateArray().Select(n => n.GetString()!).Where(n => !value.TryGetProperty(n, out _)))
                        {
                            errors.Add($"{path}: required property '{name}' is missing");
                        }
                    }

                    break;
                case "properties":
                    if (value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var property in value.EnumerateObject())
                        {
                            if (k.TryGetProperty(property.Name, out var propertySchema))
                            {
                                Check(propertySchema, property.Value, $"{path}.{property.Name}", errors);
                            }
                        }
                    }

                    break;
                case "additionalProperties":
                    if (k.ValueKind != JsonValueKind.False)
                    {
                        throw new NotSupportedException("Only additionalProperties: false is supported.");
                    }

                    if (value.ValueKind == JsonValueKind.Object)
                    {
                        var declared = schema.TryGetProperty("properties", out var p) ? p.EnumerateObject().Select(x => x.Name).ToHashSet() : [];
                        foreach (var property in value.EnumerateObject().Where(x => !declared.Contains(x.Name)))
                        {
                            errors.Add($"{path}: property '{property.Name}' is not in the schema");
                        }
                    }

                    break;
                case "items":
                    if (value.ValueKind == JsonValueKind.Array)
                    {
                        var i = 0;
                        foreach (var item in value.EnumerateArray())
                        {
                            Check(k, item, $"{path}[{i++}]", errors);
                        }
                    }

                    break;
                case "format":
                    if (value.ValueKind == JsonValueKind.String)
                    {
                        var ok = k.GetString() switch
                        {
                            "date-time" => DateTimeRegex().IsMatch(value.GetString()!),
                            "uuid" => UuidRegex().IsMatch(value.GetString()!),
                            var other => throw new NotSupportedException($"format {other}"),
                        };
                        if (!ok)
                        {
                            errors.Add($"{path}: '{value.GetString()}' is not a {k.GetString()}");
                        }
                    }

                    break;
                case "pattern":
                    if (value.ValueKind == JsonValueKind.String && !Regex.IsMatch(value.GetString()!, k.GetString()!, RegexOptions.None, TimeSpan.FromSeconds(1)))
                    {
                        errors.Add($"{path}: '{value.GetString()}' does not match {k.GetString()}");
                    }

                    break;
                case "maxLength":
                    if (value.ValueKind == JsonValueKind.String && value.GetString()!.Length > k.GetInt32())
                    {
                        errors.Add($"{path}: longer than {k.GetInt32()}");
                    }

                    break;
                case "maxItems":
                    if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > k.GetInt32())
                    {
                        errors.Add($"{path}: more than {k.GetInt32()} items");
                    }

                    break;
                case "minimum":
                    if (value.ValueKind == JsonValueKind.Number && value.GetDecimal() < k.GetDecimal())
                    {
                        errors.Add($"{path}: less than {k.GetDecimal().ToString(CultureInfo.InvariantCulture)}");
                    }

                    break;
                default:
                    throw new NotSupportedException($"The schema keyword '{keyword.Name}' at {path} is not supported by {nameof(MiniJsonSchema)}.");
            }
        }
    }

    private static bool HasType(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        _ => throw new NotSupportedException($"type {type}"),
    };

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex DateTimeRegex();

    [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex UuidRegex();
}
