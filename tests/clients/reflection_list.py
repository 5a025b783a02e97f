#!/usr/bin/env python3
"""List the services a server advertises through gRPC reflection, v1 or v1alpha.

The grpcurl on PyPI (1.8.6) only speaks reflection v1alpha, so this checks v1
(and v1alpha) directly with grpcio and a hand-encoded ServerReflectionRequest
{list_services: ""}; no generated reflection stubs are needed.

usage: reflection_list.py HOST:PORT v1|v1alpha   (prints one service per line)
"""
import sys

import grpc


def read_varint(data, position):
    shift = result = 0
    while True:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7


def fields(data):
    """Yields (field number, value) for each length-delimited or varint field."""
    position = 0
    while position < len(data):
        key, position = read_varint(data, position)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, position = read_varint(data, position)
        elif wire_type == 2:
            length, position = read_varint(data, position)
            value = data[position : position + length]
            position += length
        elif wire_type == 1:
            value, position = data[position : position + 8], position + 8
        elif wire_type == 5:
            value, position = data[position : position + 4], position + 4
        else:
            raise ValueError(f"unsupported wire type {wire_type}")
        yield number, value


def list_services(address, version):
    method = f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo"
    # ServerReflectionRequest.list_services (field 7, string) = ""
    request = b"\x3a\x00"
    with grpc.insecure_channel(address) as channel:
        call = channel.stream_stream(
            method,
            request_serializer=lambda raw: raw,
            response_deserializer=lambda raw: raw,
        )
        names = []
        for response in call(iter([request]), timeout=10):
            for number, value in fields(response):
                if number == 7:  # error_response
                    raise RuntimeError(f"reflection error response: {value!r}")
                if number == 6:  # list_services_response
                    for inner_number, service in fields(value):
                        if inner_number == 1:
                            for name_number, name in fields(service):
                                if name_number == 1:
                                    names.append(name.decode("utf-8"))
        return names


def main(argv):
    if len(argv) != 3 or argv[2] not in ("v1", "v1alpha"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        for name in list_services(argv[1], argv[2]):
            print(name)
    except grpc.RpcError as error:
        print(f"reflection {argv[2]} failed: {error.code()} {error.details()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
