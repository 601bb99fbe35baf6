"""Images in replies, decoded, whatever the dialect put them in.

Anthropic: tool_result content blocks {"type":"image","source":{"type":"base64",...}}.
OpenAI: item.output.image_url, a data: URL. deskbox / OSWorld: result.image
{"mime","width","height","data"} (docs/protocol.md).
"""

import base64
import binascii
import struct

from .errors import ProtocolViolation


class Image:
    """One decoded image: `mime`, `data` (bytes) and, when known, `width` and `height`."""

    __slots__ = ("mime", "data", "width", "height")

    def __init__(self, mime, data, width=None, height=None):
        self.mime = mime
        self.data = data
        self.width = width
        self.height = height
        if (width is None or height is None) and mime == "image/png":
            self.width, self.height = png_size(data)

    def save(self, path):
        with open(path, "wb") as f:
            f.write(self.data)

    def __repr__(self):
        return "Image(%s, %s bytes, %sx%s)" % (self.mime, len(self.data), self.width, self.height)


def png_size(data):
    """(width, height) from a PNG's IHDR; ProtocolViolation when it is not a PNG."""
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ProtocolViolation("image said to be PNG does not start with a PNG signature and IHDR")
    return struct.unpack(">II", data[16:24])


def _b64(text, where):
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError, ValueError) as e:
        raise ProtocolViolation("%s: not base64 (%s)" % (where, e)) from None


def _data_url(url, where):
    head, sep, payload = url.partition(",")
    if not head.startswith("data:") or not head.endswith(";base64") or not sep:
        raise ProtocolViolation("%s: not a base64 data: URL" % where)
    return head[len("data:"):-len(";base64")], _b64(payload, where)


def images_of(reply):
    """Every image in a reply, in order."""
    found = []
    result = reply.get("result")
    if isinstance(result, dict) and isinstance(result.get("image"), dict):
        image = result["image"]
        found.append(Image(image.get("mime"), _b64(image.get("data", ""), "result.image.data"),
                           image.get("width"), image.get("height")))
    tool_result = reply.get("tool_result")
    if isinstance(tool_result, dict) and isinstance(tool_result.get("content"), list):
        for i, block in enumerate(tool_result["content"]):
            if isinstance(block, dict) and block.get("type") == "image":
                source = block.get("source") or {}
                found.append(Image(source.get("media_type"),
                                   _b64(source.get("data", ""), "tool_result.content[%d].source.data" % i)))
    item = reply.get("item")
    if isinstance(item, dict) and isinstance(item.get("output"), dict) and "image_url" in item["output"]:
        mime, data = _data_url(item["output"]["image_url"], "item.output.image_url")
        found.append(Image(mime, data))
    return found
