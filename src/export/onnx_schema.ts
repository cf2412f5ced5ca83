// The part of the ONNX model format (onnx/onnx.proto, the Open Neural Network Exchange IR, ir
// version 8) the generator export writes, as a protobuf schema read by protobufjs: the message
// and field numbers are ONNX's own, only the messages and fields used here are declared (a
// protobuf reader skips nothing it needs: every other field is optional). Tensors carry their
// values in raw_data (little-endian), as onnx.numpy_helper writes them.
// protobufjs loads on first use (dynamic import, external to dist/'s bundles, like tfjs), so the
// main entry carries none of it (~270 KB unminified) until an ONNX export runs.
import type * as Protobuf from "protobufjs";

const SCHEMA = `
syntax = "proto3";
package onnx;
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message StringStringEntryProto { string key = 1; string value = 2; }
message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5; FLOATS = 6; INTS = 7; STRINGS = 8; }
  string name = 1;
  AttributeType type = 20;
  float f = 2;
  int64 i = 3;
  bytes s = 4;
  TensorProto t = 5;
  repeated float floats = 7;
  repeated int64 ints = 8;
}
message TensorProto {
  enum DataType { UNDEFINED = 0; FLOAT = 1; INT64 = 7; }
  repeated int64 dims = 1;
  int32 data_type = 2;
  string name = 8;
  bytes raw_data = 9;
}
message TensorShapeProto {
  message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; }
  oneof value { Tensor tensor_type = 1; }
}
message ValueInfoProto { string name = 1; TypeProto type = 2; string doc_string = 3; }
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  string name = 3;
  string op_type = 4;
  repeated AttributeProto attribute = 5;
  string domain = 7;
}
message GraphProto {
  repeated NodeProto node = 1;
  string name = 2;
  repeated TensorProto initializer = 5;
  string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message ModelProto {
  int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  string producer_name = 2;
  string producer_version = 3;
  string doc_string = 6;
  GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
}
`;

let model: Promise<Protobuf.Type> | undefined;
export function onnxModelType(): Promise<Protobuf.Type> {
  return (model ??= import("protobufjs").then((m: any) => {
    const protobuf = (typeof m.parse === "function" ? m : m.default) as typeof Protobuf;
    return protobuf.parse(SCHEMA, { keepCase: true }).root.lookupType("onnx.ModelProto");
  }, (e) => {
    model = undefined;
    throw new Error(`the ONNX export needs protobufjs (npm install protobufjs): ${(e as Error).message}`);
  }));
}

export const ONNX_FLOAT = 1, ONNX_INT64 = 7;
export const ATTR = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7, TENSOR: 4 } as const;
