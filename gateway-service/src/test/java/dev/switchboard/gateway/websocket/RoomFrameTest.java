package dev.switchboard.gateway.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;

/**
 * A room frame encoded once as a whole WebSocket frame is byte for byte what Netty's server encoder makes of the
 * same text, at every payload length form (7, 16 and 64 bits), and a socket writes it past its encoder only where
 * nothing else in the pipeline has to see the frame.
 */
class RoomFrameTest {

    /** An extension's encoder, as permessage-deflate puts in the pipeline (Netty's own is not public). */
    private static final class Deflate extends WebSocketExtensionEncoder {
        @Override
        protected void encode(ChannelHandlerContext ctx, WebSocketFrame msg, java.util.List<Object> out) {
            out.add(msg.retain());
        }
    }

    /** A text of exactly {@code utf8Bytes} UTF-8 bytes, with two- and three-byte characters in it. */
    private static String text(int utf8Bytes) {
        StringBuilder sb = new StringBuilder("{\"type\":\"new_message\",\"payload\":{\"text\":\"é€");
        int length = ByteBufUtil.utf8Bytes(sb);
        while (length < utf8Bytes) {
            sb.append((char) ('a' + length % 26));
            length++;
        }
        return sb.toString();
    }

    private static byte[] nettyEncoded(String text) {
        EmbeddedChannel ch = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
        ch.writeOutbound(new TextWebSocketFrame(text));
        CompositeByteBuf all = Unpooled.compositeBuffer();
        for (Object out; (out = ch.readOutbound()) != null;) {
            all.addComponent(true, (ByteBuf) out);
        }
        byte[] bytes = ByteBufUtil.getBytes(all);
        all.release();
        ch.finishAndReleaseAll();
        return bytes;
    }

    @Test
    void theWholeFrameIsWhatNettysServerEncoderWrites() {
        for (int length : new int[] { 60, 125, 126, 127, 1000, 65535, 65536, 70000 }) {
            String text = text(length);
            RoomFrame frame = new RoomFrame(text);
            assertThat(frame.payloadLength()).isEqualTo(length);
            ByteBuf wire = frame.wire(PooledByteBufAllocator.DEFAULT);
            assertThat(ByteBufUtil.getBytes(wire)).as("%d bytes", length).isEqualTo(nettyEncoded(text));
            // and a client's decoder reads the text back
            EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(false, true, 1 << 20));
            client.writeInbound(wire.retainedDuplicate());
            TextWebSocketFrame read = client.readInbound();
            assertThat(read.text()).isEqualTo(text);
            read.release();
            client.finishAndReleaseAll();
            frame.release();
            assertThat(wire.refCnt()).isZero();
        }
    }

    @Test
    void aFrameIsWrittenPastTheEncoderOnlyWhereNothingElseHasToSeeIt() {
        EmbeddedChannel plain = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
        ChannelHandlerContext writer = Session.frameWriter(plain.pipeline());
        assertThat(writer).isNotNull();
        assertThat(writer.handler()).isInstanceOf(WebSocket13FrameEncoder.class);

        assertThat(Session.frameWriter(new EmbeddedChannel(new WebSocket13FrameEncoder(false),
                new Deflate()).pipeline())).as("permessage-deflate").isNull();
        assertThat(Session.frameWriter(new EmbeddedChannel(new WebSocket13FrameEncoder(false),
                new ChunkedWriteHandler()).pipeline())).as("chunked writes").isNull();
        assertThat(Session.frameWriter(new EmbeddedChannel(new WebSocket13FrameEncoder(false),
                new IdleStateHandler(0, 0, 75)).pipeline())).as("idle handler").isNull();
        assertThat(Session.frameWriter(new EmbeddedChannel(new ChunkedWriteHandler()).pipeline())).as("no encoder")
                .isNull();

        // written there, it reaches the socket as it is, ahead of nothing the encoder still holds
        RoomFrame frame = new RoomFrame(text(300));
        writer.writeAndFlush(frame.wire(plain.alloc()).retainedDuplicate());
        ByteBuf out = plain.readOutbound();
        assertThat(ByteBufUtil.getBytes(out)).isEqualTo(nettyEncoded(frame.text()));
        out.release();
        frame.release();
        plain.finishAndReleaseAll();
    }
}
