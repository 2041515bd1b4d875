using System.Buffers.Binary;
using System.Text;

namespace MynaTerminal.Face.Tests.TinyModels;

/// <summary>
/// The protobuf wire format, only as much as ONNX needs: varints (wire type 0), length-delimited fields (2) and
/// 32-bit floats (5). Repeated scalars are written unpacked (the proto2 default of onnx.proto; parsers accept both).
/// </summary>
public sealed class ProtoWriter
{
    private readonly MemoryStream _buffer = new();

    public byte[] ToArray() => _buffer.ToArray();

    public void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _buffer.WriteByte((byte)value);
    }

    public void Tag(int field, int wireType) => Varint(((ulong)field << 3) | (uint)wireType);

    /// <summary>int64 / int32 / enum (negative values take 10 bytes, two's complement, as protobuf does).</summary>
    public void Int64(int field, long value)
    {
        Tag(field, 0);
        Varint(unchecked((ulong)value));
    }

    public void Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.Write(bytes);
    }

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        Varint((ulong)value.Length);
        _buffer.Write(value);
    }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>An embedded message: written to its own buffer, then length-prefixed.</summary>
    public void Message(int field, Action<ProtoWriter> body)
    {
        var inner = new ProtoWriter();
        body(inner);
        Bytes(field, inner.ToArray());
    }
}

/// <summary>ONNX <c>TensorProto.DataType</c> values used here.</summary>
public enum OnnxType
{
    Float = 1,
    Int64 = 7,
}

/// <summary>A tensor dimension: a fixed size or a symbolic name (<c>dim_param</c>).</summary>
public readonly record struct OnnxDim(long? Value, string? Param)
{
    public static implicit operator OnnxDim(long value) => new(value, null);

    public static implicit operator OnnxDim(string param) => new(null, param);
}

/// <summary>A graph input or output (<c>ValueInfoProto</c> with a tensor type).</summary>
public sealed record OnnxValueInfo(string Name, OnnxType Type, IReadOnlyList<OnnxDim> Shape);

/// <summary>An initializer or attribute tensor (<c>TensorProto</c> with <c>raw_data</c>, little-endian).</summary>
public sealed record OnnxTensor(string Name, OnnxType Type, IReadOnlyList<long> Dims, byte[] RawData)
{
    public static OnnxTensor Floats(string name, IReadOnlyList<long> dims, params float[] values)
    {
        CheckCount(name, dims, values.Length);
        var raw = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * 4), values[i]);
        }

        return new OnnxTensor(name, OnnxType.Float, dims, raw);
    }

    public static OnnxTensor Int64s(string name, IReadOnlyList<long> dims, params long[] values)
    {
        CheckCount(name, dims, values.Length);
        var raw = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * 8), values[i]);
        }

        return new OnnxTensor(name, OnnxType.Int64, dims, raw);
    }

    /// <summary>A float scalar (no dims).</summary>
    public static OnnxTensor Scalar(string name, float value) => Floats(name, [], value);

    private static void CheckCount(string name, IReadOnlyList<long> dims, int count)
    {
        var expected = dims.Aggregate(1L, (a, d) => a * d);
        if (expected != count)
        {
            throw new ArgumentException($"Tensor '{name}': dims [{string.Join(",", dims)}] hold {expected} values, {count} given.");
        }
    }
}

/// <summary>A node attribute (<c>AttributeProto</c>).</summary>
public sealed record OnnxAttribute(string Name, OnnxAttribute.Kind Type, long I = 0, float F = 0, string? S = null,
    IReadOnlyList<long>? Ints = null, IReadOnlyList<float>? Floats = null, OnnxTensor? T = null)
{
    /// <summary><c>AttributeProto.AttributeType</c>.</summary>
    public enum Kind
    {
        Float = 1,
        Int = 2,
        String = 3,
        Tensor = 4,
        FloatList = 6,
        IntList = 7,
    }

    public static OnnxAttribute Int(string name, long value) => new(name, Kind.Int, I: value);

    public static OnnxAttribute Float(string name, float value) => new(name, Kind.Float, F: value);

    public static OnnxAttribute Text(string name, string value) => new(name, Kind.String, S: value);

    public static OnnxAttribute IntList(string name, params long[] values) => new(name, Kind.IntList, Ints: values);

    public static OnnxAttribute FloatList(string name, params float[] values) => new(name, Kind.FloatList, Floats: values);

    public static OnnxAttribute Tensor(string name, OnnxTensor value) => new(name, Kind.Tensor, T: value);
}

/// <summary>A node (<c>NodeProto</c>) of the default ONNX domain.</summary>
public sealed record OnnxNode(string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, string Name, IReadOnlyList<OnnxAttribute> Attributes);

/// <summary>
/// A single-graph ONNX model written by hand in the protobuf wire format (<c>ModelProto</c> → <c>GraphProto</c>,
/// <c>NodeProto</c> with attributes, <c>TensorProto</c> initializers as <c>raw_data</c>, <c>ValueInfoProto</c> with static
/// and symbolic dims). Field numbers are those of onnx/onnx.proto.
/// </summary>
public sealed class OnnxGraph(string name)
{
    private readonly List<OnnxValueInfo> _inputs = [];
    private readonly List<OnnxValueInfo> _outputs = [];
    private readonly List<OnnxTensor> _initializers = [];
    private readonly List<OnnxNode> _nodes = [];

    public string Name { get; } = name;

    public OnnxGraph Input(string name, OnnxType type, params OnnxDim[] shape)
    {
        _inputs.Add(new OnnxValueInfo(name, type, shape));
        return this;
    }

    public OnnxGraph Output(string name, OnnxType type, params OnnxDim[] shape)
    {
        _outputs.Add(new OnnxValueInfo(name, type, shape));
        return this;
    }

    /// <summary>Adds an initializer and returns its name.</summary>
    public string Initializer(OnnxTensor tensor)
    {
        _initializers.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Node(string opType, IReadOnlyList<string> inputs, string output, params OnnxAttribute[] attributes)
    {
        _nodes.Add(new OnnxNode(opType, inputs, [output], $"{opType}_{_nodes.Count}", attributes));
        return output;
    }

    /// <summary>The serialized <c>ModelProto</c>.</summary>
    public byte[] ToModel(long irVersion = 8, long opsetVersion = 13, string producer = "MynaTerminal.Face.Tests")
    {
        var model = new ProtoWriter();
        model.Int64(1, irVersion);                 // ir_version
        model.String(2, producer);                  // producer_name
        model.String(3, "1");                       // producer_version
        model.Int64(5, 1);                          // model_version
        model.String(6, $"Tiny stand-in for tests: {Name}");  // doc_string
        model.Message(7, WriteGraph);               // graph
        model.Message(8, opset =>                   // opset_import
        {
            opset.String(1, string.Empty);          // domain ("" = ai.onnx)
            opset.Int64(2, opsetVersion);           // version
        });
        return model.ToArray();
    }

    private void WriteGraph(ProtoWriter graph)
    {
        foreach (var node in _nodes)
        {
            graph.Message(1, w => WriteNode(w, node));      // node
        }

        graph.String(2, Name);                              // name
        foreach (var tensor in _initializers)
        {
            graph.Message(5, w => WriteTensor(w, tensor));  // initializer
        }

        foreach (var input in _inputs)
        {
            graph.Message(11, w => WriteValueInfo(w, input)); // input
        }

        foreach (var output in _outputs)
        {
            graph.Message(12, w => WriteValueInfo(w, output)); // output
        }
    }

    private static void WriteNode(ProtoWriter w, OnnxNode node)
    {
        foreach (var input in node.Inputs)
        {
            w.String(1, input);                     // input
        }

        foreach (var output in node.Outputs)
        {
            w.String(2, output);                    // output
        }

        w.String(3, node.Name);                     // name
        w.String(4, node.OpType);                   // op_type
        foreach (var attribute in node.Attributes)
        {
            w.Message(5, a => WriteAttribute(a, attribute)); // attribute
        }
    }

    private static void WriteAttribute(ProtoWriter w, OnnxAttribute attribute)
    {
        w.String(1, attribute.Name);                // name
        switch (attribute.Type)
        {
            case OnnxAttribute.Kind.Float:
                w.Float(2, attribute.F);            // f
                break;
            case OnnxAttribute.Kind.Int:
                w.Int64(3, attribute.I);            // i
                break;
            case OnnxAttribute.Kind.String:
                w.String(4, attribute.S!);          // s
                break;
            case OnnxAttribute.Kind.Tensor:
                w.Message(5, t => WriteTensor(t, attribute.T!)); // t
                break;
            case OnnxAttribute.Kind.FloatList:
                foreach (var f in attribute.Floats!)
                {
                    w.Float(7, f);                  // floats
                }

                break;
            case OnnxAttribute.Kind.IntList:
                foreach (var i in attribute.Ints!)
                {
                    w.Int64(8, i);                  // ints
                }

                break;
        }

        w.Int64(20, (long)attribute.Type);          // type
    }

    private static void WriteTensor(ProtoWriter w, OnnxTensor tensor)
    {
        foreach (var d in tensor.Dims)
        {
            w.Int64(1, d);                          // dims
        }

        w.Int64(2, (long)tensor.Type);              // data_type
        w.String(8, tensor.Name);                   // name
        w.Bytes(9, tensor.RawData);                 // raw_data
    }

    private static void WriteValueInfo(ProtoWriter w, OnnxValueInfo value)
    {
        w.String(1, value.Name);                    // name
        w.Message(2, type =>                        // type: TypeProto
            type.Message(1, tensor =>               // tensor_type: TypeProto.Tensor
            {
                tensor.Int64(1, (long)value.Type);  // elem_type
                tensor.Message(2, shape =>          // shape: TensorShapeProto
                {
                    foreach (var dim in value.Shape)
                    {
                        shape.Message(1, d =>       // dim: Dimension
                        {
                            if (dim.Value is { } v)
                            {
                                d.Int64(1, v);      // dim_value
                            }
                            else if (dim.Param is { } p)
                            {
                                d.String(2, p);     // dim_param
                            }
                        });
                    }
                });
            }));
    }
}
