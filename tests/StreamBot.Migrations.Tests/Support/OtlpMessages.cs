using System.Text;

namespace StreamBot.Migrations.Tests.Support;

/// <summary>A span as an OTLP/HTTP export carried it.</summary>
public sealed record OtlpSpan(string Name, string SpanId, string ParentSpanId, int StatusCode, string StatusMessage,
    IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<(string Name, IReadOnlyDictionary<string, string> Attributes)> Events);

/// <summary>
/// Reads the protobuf bodies an OTLP/HTTP exporter posts (ExportTraceServiceRequest, ExportMetricsServiceRequest) with
/// the wire format alone: field numbers from opentelemetry-proto's trace.proto, metrics.proto and common.proto.
/// </summary>
public static class OtlpMessages
{
    /// <summary>Every span in a trace export.</summary>
    public static IEnumerable<OtlpSpan> Spans(byte[] body) =>
        from resourceSpans in Fields(body, 1)
        from scopeSpans in Fields(resourceSpans, 2)
        from span in Fields(scopeSpans, 2)
        select Span(span);

    /// <summary>Every metric's name in a metrics export, with the attribute sets of its data points.</summary>
    public static IEnumerable<(string Name, IReadOnlyList<IReadOnlyDictionary<string, string>> Points)> Metrics(byte[] body) =>
        from resourceMetrics in Fields(body, 1)
        from scopeMetrics in Fields(resourceMetrics, 2)
        from metric in Fields(scopeMetrics, 2)
        select (Text(metric, 1), (IReadOnlyList<IReadOnlyDictionary<string, string>>)DataPoints(metric).Select(p => (IReadOnlyDictionary<string, string>)Attributes(p.Point, p.AttributesField)).ToList());

    /// <summary>Every string the resource of an export carries, as key=value.</summary>
    public static IReadOnlyDictionary<string, string> Resource(byte[] body) =>
        Fields(body, 1).Select(r => Attributes(Fields(r, 1).FirstOrDefault() ?? [], 1)).FirstOrDefault() ?? new Dictionary<string, string>();

    private static OtlpSpan Span(byte[] span)
    {
        var status = Fields(span, 15).FirstOrDefault() ?? [];
        return new OtlpSpan(Text(span, 5), Hex(span, 2), Hex(span, 4), (int)Varint(status, 3), Text(status, 2), Attributes(span, 9),
            Fields(span, 11).Select(e => (Text(e, 2), (IReadOnlyDictionary<string, string>)Attributes(e, 3))).ToList());
    }

    // Gauge (5) and sum (7) hold NumberDataPoints (attributes in field 7), histogram (9) HistogramDataPoints
    // (attributes in field 9), each kind's points in its field 1.
    private static IEnumerable<(byte[] Point, int AttributesField)> DataPoints(byte[] metric) =>
        new[] { (Kind: 5, Attributes: 7), (Kind: 7, Attributes: 7), (Kind: 9, Attributes: 9) }
            .SelectMany(k => Fields(metric, k.Kind).SelectMany(data => Fields(data, 1)).Select(point => (point, k.Attributes)));

    private static Dictionary<string, string> Attributes(byte[] message, int field)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in Fields(message, field))
        {
            attributes[Text(pair, 1)] = Value(Fields(pair, 2).FirstOrDefault() ?? []);
        }

        return attributes;
    }

    // AnyValue: string 1, bool 2, int 3, double 4.
    private static string Value(byte[] any)
    {
        foreach (var f in Read(any))
        {
            return f.Number switch
            {
                1 => Encoding.UTF8.GetString(f.Bytes!),
                2 => f.Varint != 0 ? "true" : "false",
                3 => ((long)f.Varint).ToString(System.Globalization.CultureInfo.InvariantCulture),
                4 => BitConverter.Int64BitsToDouble((long)f.Varint).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => "?",
            };
        }

        return string.Empty;
    }

    private static string Text(byte[] message, int field) => Fields(message, field).Select(b => Encoding.UTF8.GetString(b)).FirstOrDefault() ?? string.Empty;

    private static string Hex(byte[] message, int field) => Convert.ToHexString(Fields(message, field).FirstOrDefault() ?? []);

    private static ulong Varint(byte[] message, int field) => Read(message).Where(f => f.Number == field).Select(f => f.Varint).FirstOrDefault();

    private static IEnumerable<byte[]> Fields(byte[] message, int field) => Read(message).Where(f => f.Number == field && f.Bytes is not null).Select(f => f.Bytes!);

    private static List<(int Number, ulong Varint, byte[]? Bytes)> Read(byte[] message)
    {
        var fields = new List<(int, ulong, byte[]?)>();
        var at = 0;
        while (at < message.Length)
        {
            var key = ReadVarint(message, ref at);
            var number = (int)(key >> 3);
            switch (key & 7)
            {
                case 0:
                    fields.Add((number, ReadVarint(message, ref at), null));
                    break;
                case 1:
                    fields.Add((number, BitConverter.ToUInt64(message, at), null));
                    at += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref at);
                    if (length < 0 || at + length > message.Length)
                    {
                        throw new FormatException("length past the end");
                    }

                    fields.Add((number, 0, message[at..(at + length)]));
                    at += length;
                    break;
                case 5:
                    fields.Add((number, BitConverter.ToUInt32(message, at), null));
                    at += 4;
                    break;
                default:
                    throw new FormatException($"wire type {key & 7}");
            }
        }

        return fields;
    }

    private static ulong ReadVarint(byte[] message, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (at >= message.Length)
            {
                throw new FormatException("varint past the end");
            }

            var b = message[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new FormatException("varint too long");
    }
}
