package dev.bulwark.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What an {@link EnvelopeObserver} hears: one start and one end per message or stream, with a failure kind. */
class EnvelopeObserverTest {

  private static final EncryptionContext CTX = EncryptionContext.of("tenant", "acme");
  private static final byte[] MSG = "observed message".getBytes(StandardCharsets.UTF_8);

  /** Every start and end, as text: "ENCRYPT ONE_SHOT start", "ENCRYPT ONE_SHOT ok", "DECRYPT ONE_SHOT DECRYPTION_FAILED". */
  private final List<String> heard = new CopyOnWriteArrayList<>();
  private final EnvelopeObserver recorder = (operation, mode) -> {
    String what = operation + " " + mode;
    heard.add(what + " start");
    return new EnvelopeObserver.Message() {
      @Override
      public void succeeded() {
        heard.add(what + " ok");
      }

      @Override
      public void failed(EnvelopeObserver.Failure failure) {
        heard.add(what + " " + failure);
      }
    };
  };

  private Envelope observed(Fixture f) {
    return Envelope.builder(f.keyrings).observer(recorder).build();
  }

  @Test
  void aRoundTrip_isOneEncryptAndOneDecrypt() throws Exception {
    Envelope env = observed(new Fixture());
    assertArrayEquals(MSG, env.decrypt(env.encrypt(MSG, CTX), CTX));
    assertEquals(List.of("ENCRYPT ONE_SHOT start", "ENCRYPT ONE_SHOT ok", "DECRYPT ONE_SHOT start", "DECRYPT ONE_SHOT ok"),
        heard);
    assertTrue(env.toString().contains("observed"));
  }

  @Test
  void failures_areReportedByKind_andStillThrown() throws Exception {
    Fixture f = new Fixture();
    Envelope env = observed(f);
    byte[] ct = env.encrypt(MSG, CTX);
    heard.clear();
    assertThrows(DecryptionFailedException.class, () -> env.decrypt(ct, CTX.with("tenant", "evil")));
    byte[] tampered = ct.clone();
    tampered[tampered.length - 1] ^= 1;
    assertThrows(DecryptionFailedException.class, () -> env.decrypt(tampered, CTX));
    assertThrows(CiphertextFormatException.class, () -> env.decrypt(new byte[] {1, 2, 3}, CTX));
    assertThrows(CiphertextFormatException.class, () -> env.decrypt(Arrays.copyOf(ct, 40), CTX));
    assertThrows(IllegalArgumentException.class, () -> env.decrypt(ct, null));
    assertThrows(IllegalArgumentException.class, () -> env.encrypt(null, CTX));
    byte[] foreign = new Fixture().envelope().forKeyring("elsewhere").encrypt(MSG, CTX);
    assertThrows(KeyUnavailableException.class, () -> env.decrypt(foreign, CTX));
    byte[] scoped = env.forKeyring("tenant-acme").encrypt(MSG, CTX);
    f.keyrings.shred("tenant-acme");
    assertThrows(ScopeShreddedException.class, () -> env.decrypt(scoped, CTX));
    assertEquals(List.of(
        "DECRYPT ONE_SHOT start", "DECRYPT ONE_SHOT DECRYPTION_FAILED",
        "DECRYPT ONE_SHOT start", "DECRYPT ONE_SHOT DECRYPTION_FAILED",
        "DECRYPT ONE_SHOT start", "DECRYPT ONE_SHOT MALFORMED",
        "DECRYPT ONE_SHOT start", "DECRYPT ONE_SHOT MALFORMED",
        "DECRYPT ONE_SHOT start", "DECRYPT ONE_SHOT INVALID_ARGUMENT",
        "ENCRYPT ONE_SHOT start", "ENCRYPT ONE_SHOT INVALID_ARGUMENT",
        "DECRYPT ONE_SHOT start", "DECRYPT ONE_SHOT KEY_UNAVAILABLE",
        "ENCRYPT ONE_SHOT start", "ENCRYPT ONE_SHOT ok",
        "DECRYPT ONE_SHOT start", "DECRYPT ONE_SHOT SHREDDED"), heard);
  }

  @Test
  void streams_reportOnceWhenClosed_orAtTheirFirstFailure() throws Exception {
    Envelope env = Envelope.builder(new Fixture().keyrings).segmentSize(64).observer(recorder).build();
    byte[] plain = new byte[1000];
    Arrays.fill(plain, (byte) 7);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (OutputStream out = env.newEncryptingStream(sink, CTX)) {
      out.write(plain);
      assertEquals(List.of("ENCRYPT STREAM start"), heard, "nothing ends before close");
    }
    byte[] ct = sink.toByteArray();
    try (InputStream in = env.newDecryptingStream(new ByteArrayInputStream(ct), CTX)) {
      assertArrayEquals(plain, in.readAllBytes());
    }
    assertEquals(List.of("ENCRYPT STREAM start", "ENCRYPT STREAM ok", "DECRYPT STREAM start", "DECRYPT STREAM ok"), heard);

    heard.clear();
    byte[] truncated = Arrays.copyOf(ct, ct.length - 10);
    InputStream in = env.newDecryptingStream(new ByteArrayInputStream(truncated), CTX);
    IOException e = assertThrows(IOException.class, in::readAllBytes);
    in.close();
    assertThrows(IOException.class, in::readAllBytes);
    assertEquals(2, heard.size(), heard.toString());
    assertEquals("DECRYPT STREAM start", heard.get(0));
    assertTrue(heard.get(1).equals("DECRYPT STREAM DECRYPTION_FAILED") || heard.get(1).equals("DECRYPT STREAM MALFORMED"),
        heard + " for " + e.getCause());

    heard.clear();
    assertThrows(CiphertextFormatException.class, () -> env.newDecryptingStream(
        new ByteArrayInputStream(env.encrypt(MSG, CTX)), CTX));
    assertEquals(List.of("ENCRYPT ONE_SHOT start", "ENCRYPT ONE_SHOT ok", "DECRYPT STREAM start", "DECRYPT STREAM MALFORMED"),
        heard);
  }

  @Test
  void aSeekableChannel_isOneStream() throws Exception {
    Envelope env = Envelope.builder(new Fixture().keyrings).segmentSize(64).observer(recorder).build();
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (OutputStream out = env.newEncryptingStream(sink, CTX)) {
      out.write(new byte[500]);
    }
    heard.clear();
    try (SeekableByteChannel ch = env.newSeekableDecryptingChannel(new BytesChannel(sink.toByteArray()), CTX)) {
      ch.position(300);
      ByteBuffer b = ByteBuffer.allocate(50);
      assertEquals(50, ch.read(b));
    }
    assertEquals(List.of("DECRYPT STREAM start", "DECRYPT STREAM ok"), heard);
  }

  /** An observer that throws is logged and ignored: the operation's result stands. */
  @Test
  void aFailingObserver_neverChangesTheOutcome() throws Exception {
    Fixture f = new Fixture();
    Envelope throwsOnStart = Envelope.builder(f.keyrings).observer((o, m) -> {
      throw new IllegalStateException("metrics down");
    }).build();
    Envelope throwsOnEnd = Envelope.builder(f.keyrings).observer((o, m) -> new EnvelopeObserver.Message() {
      @Override
      public void succeeded() {
        throw new IllegalStateException("metrics down");
      }

      @Override
      public void failed(EnvelopeObserver.Failure failure) {
        throw new IllegalStateException("metrics down");
      }
    }).build();
    Envelope returnsNull = Envelope.builder(f.keyrings).observer((o, m) -> null).build();
    for (Envelope env : List.of(throwsOnStart, throwsOnEnd, returnsNull)) {
      byte[] ct = env.encrypt(MSG, CTX);
      assertArrayEquals(MSG, env.decrypt(ct, CTX));
      assertThrows(DecryptionFailedException.class, () -> env.decrypt(ct, CTX.with("x", "y")));
    }
  }

  @Test
  void forKeyring_keepsTheObserver_andTheBuilderRefusesNull() throws Exception {
    Envelope env = observed(new Fixture()).forKeyring("tenant-b");
    env.encrypt(MSG, CTX);
    assertEquals(List.of("ENCRYPT ONE_SHOT start", "ENCRYPT ONE_SHOT ok"), heard);
    assertThrows(IllegalArgumentException.class, () -> Envelope.builder(new Fixture().keyrings).observer(null));
  }

  /** A read-only in-memory channel. */
  private static final class BytesChannel implements SeekableByteChannel {
    private final byte[] data;
    private long position;
    private boolean open = true;

    BytesChannel(byte[] data) {
      this.data = data;
    }

    @Override
    public int read(ByteBuffer dst) {
      if (position >= data.length) {
        return -1;
      }
      int n = (int) Math.min(dst.remaining(), data.length - position);
      dst.put(data, (int) position, n);
      position += n;
      return n;
    }

    @Override
    public int write(ByteBuffer src) {
      throw new java.nio.channels.NonWritableChannelException();
    }

    @Override
    public long position() {
      return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) {
      position = newPosition;
      return this;
    }

    @Override
    public long size() {
      return data.length;
    }

    @Override
    public SeekableByteChannel truncate(long size) {
      throw new java.nio.channels.NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() {
      open = false;
    }
  }
}
