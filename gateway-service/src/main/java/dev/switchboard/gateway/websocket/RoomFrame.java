package dev.switchboard.gateway.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * One room frame as one event loop delivers it to its members: the text, and its UTF-8 bytes encoded
 * once, on first use, for all of them (each socket writes a retained duplicate). Confined to the loop
 * that delivers it; {@link #release()} when the loop's members have had it.
 */
public final class RoomFrame {
    private final String text;
    private ByteBuf bytes;

    public RoomFrame(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    ByteBuf bytes(ByteBufAllocator alloc) {
        ByteBuf b = bytes;
        if (b == null) {
            b = ByteBufUtil.writeUtf8(alloc, text);
            bytes = b;
        }
        return b;
    }

    /** Gives back this loop's reference to the bytes; the writes still in flight hold their own. */
    public void release() {
        ByteBuf b = bytes;
        if (b != null) {
            bytes = null;
            b.release();
        }
    }
}
