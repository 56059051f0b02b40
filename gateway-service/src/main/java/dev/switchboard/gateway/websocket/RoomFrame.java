package dev.switchboard.gateway.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * One room frame as one event loop delivers it to its members: the text, encoded once, on first use, for all of
 * them (each socket writes a retained duplicate). Encoded either as its UTF-8 bytes, which a socket's WebSocket
 * encoder frames ({@link #bytes}), or as the whole WebSocket frame already ({@link #wire}): a final, unmasked text
 * frame (RFC 6455 §5.2, as a server sends it), which a socket writes past its encoder, so that the frame header is
 * made and the text copied once per loop instead of once per socket. Confined to the loop that delivers it;
 * {@link #release()} when the loop's members have had it.
 */
public final class RoomFrame {
    private final String text;
    private ByteBuf bytes;
    private ByteBuf wire;
    private int utf8Length = -1;

    public RoomFrame(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** The text's length in UTF-8 bytes: the frame's payload length. */
    int payloadLength() {
        int n = utf8Length;
        if (n < 0) {
            n = ByteBufUtil.utf8Bytes(text);
            utf8Length = n;
        }
        return n;
    }

    ByteBuf bytes(ByteBufAllocator alloc) {
        ByteBuf b = bytes;
        if (b == null) {
            b = ByteBufUtil.writeUtf8(alloc, text);
            bytes = b;
        }
        return b;
    }

    /** The whole text frame: FIN and opcode 1, the payload length in 7, 16 or 64 bits, no mask, the UTF-8 text. */
    ByteBuf wire(ByteBufAllocator alloc) {
        ByteBuf w = wire;
        if (w == null) {
            int length = payloadLength();
            int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
            w = alloc.buffer(header + length);
            w.writeByte(0x81);
            if (length < 126) {
                w.writeByte(length);
            } else if (length <= 0xFFFF) {
                w.writeByte(126);
                w.writeShort(length);
            } else {
                w.writeByte(127);
                w.writeLong(length);
            }
            ByteBufUtil.reserveAndWriteUtf8(w, text, length);
            wire = w;
        }
        return w;
    }

    /** Gives back this loop's references to the encodings; the writes still in flight hold their own. */
    public void release() {
        ByteBuf b = bytes;
        if (b != null) {
            bytes = null;
            b.release();
        }
        ByteBuf w = wire;
        if (w != null) {
            wire = null;
            w.release();
        }
    }
}
