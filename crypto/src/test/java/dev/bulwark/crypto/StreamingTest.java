package dev.bulwark.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamingTest {
  private static final int SEG = 64;
  private static final EncryptionContext CTX = EncryptionContext.of("file", "report.pdf");

  private static byte[] data(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  private static byte[] encrypt(Envelope env, byte[] pt, int chunk) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream s = env.newEncryptingStream(out, CTX)) {
      for (int i = 0; i < pt.length; i += chunk) {
        s.write(pt, i, Math.min(chunk, pt.length - i));
      }
    }
    return out.toByteArray();
  }

  private static byte[] decrypt(Envelope env, byte[] ct, EncryptionContext ctx) throws Exception {
    try (InputStream in = env.newDecryptingStream(new ByteArrayInputStream(ct), ctx)) {
      return in.readAllBytes();
    }
  }

  @Test
  void roundTrip_atSegmentBoundaries() throws Exception {
    Envelope env = Envelope.builder(new Fixture().keyrings).segmentSize(SEG).build();
    for (int n : new int[] {0, 1, SEG - 1, SEG, SEG + 1, 3 * SEG, 3 * SEG + 5}) {
      byte[] pt = data(n);
      byte[] ct = encrypt(env, pt, 7);
      int header = Envelope.inspect(ct).headerLength();
      int segments = Math.max(1, (n + SEG - 1) / SEG);
      assertEquals(header + n + 16L * segments, ct.length, "size " + n);
      assertArrayEquals(pt, decrypt(env, ct, CTX), "size " + n);
    }
  }

  @Test
  void singleByteReads_work() throws Exception {
    Envelope env = Envelope.builder(new Fixture().keyrings).segmentSize(SEG).build();
    byte[] pt = data(200);
    byte[] ct = encrypt(env, pt, 200);
    try (InputStream in = env.newDecryptingStream(new ByteArrayInputStream(ct), CTX)) {
      for (byte b : pt) {
        assertEquals(b & 0xff, in.read());
      }
      assertEquals(-1, in.read());
    }
  }

  @Test
  void truncationExtensionAndFlips_fail() throws Exception {
    Envelope env = Envelope.builder(new Fixture().keyrings).segmentSize(SEG).build();
    byte[] ct = encrypt(env, data(3 * SEG), 50);
    int header = Envelope.inspect(ct).headerLength();
    // dropping the final segment leaves a stream that ends on a non-final segment
    byte[] truncated = Arrays.copyOf(ct, header + 2 * (SEG + 16));
    IOException e = assertThrows(IOException.class, () -> decrypt(env, truncated, CTX));
    assertInstanceOf(GeneralSecurityException.class, e.getCause());
    byte[] extended = Arrays.copyOf(ct, ct.length + 16);
    assertThrows(IOException.class, () -> decrypt(env, extended, CTX));
    for (int i = header; i < ct.length; i += 17) {
      byte[] flipped = ct.clone();
      flipped[i] ^= 0x40;
      assertThrows(IOException.class, () -> decrypt(env, flipped, CTX));
    }
    assertThrows(IOException.class, () -> decrypt(env, ct, EncryptionContext.empty()));
  }

  @Test
  void unauthenticatedPlaintext_isNeverReleased() throws Exception {
    Envelope env = Envelope.builder(new Fixture().keyrings).segmentSize(SEG).build();
    byte[] ct = encrypt(env, data(3 * SEG), 50);
    int header = Envelope.inspect(ct).headerLength();
    ct[header + SEG + 16 + 3] ^= 1; // second segment
    byte[] got = new byte[3 * SEG];
    int n = 0;
    try (InputStream in = env.newDecryptingStream(new ByteArrayInputStream(ct), CTX)) {
      while (true) {
        int r = in.read(got, n, got.length - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
    } catch (IOException expected) {
      // the first segment authenticated, the second did not
    }
    assertEquals(SEG, n);
  }

  @Test
  void seekableChannel_readsAnyRange(@TempDir Path dir) throws Exception {
    Envelope env = Envelope.builder(new Fixture().keyrings).segmentSize(SEG).build();
    byte[] pt = data(10 * SEG + 17);
    Path file = dir.resolve("ct.bin");
    Files.write(file, encrypt(env, pt, 100));
    Random r = new Random(5);
    try (SeekableByteChannel ch = env.newSeekableDecryptingChannel(
        Files.newByteChannel(file, StandardOpenOption.READ), CTX)) {
      assertEquals(pt.length, ch.size());
      for (int i = 0; i < 50; i++) {
        int pos = r.nextInt(pt.length);
        int len = 1 + r.nextInt(3 * SEG);
        ByteBuffer buf = ByteBuffer.allocate(len);
        ch.position(pos);
        int n = ch.read(buf);
        int expected = Math.min(len, pt.length - pos);
        assertEquals(expected, n);
        assertArrayEquals(Arrays.copyOfRange(pt, pos, pos + expected), Arrays.copyOf(buf.array(), n));
      }
      ch.position(pt.length);
      assertEquals(-1, ch.read(ByteBuffer.allocate(1)));
    }
  }

  @Test
  void seekableChannel_detectsTruncationAtTheEnd(@TempDir Path dir) throws Exception {
    Envelope env = Envelope.builder(new Fixture().keyrings).segmentSize(SEG).build();
    byte[] ct = encrypt(env, data(3 * SEG), 100);
    Path file = dir.resolve("ct.bin");
    Files.write(file, Arrays.copyOf(ct, ct.length - (SEG + 16)));
    try (SeekableByteChannel ch = env.newSeekableDecryptingChannel(
        Files.newByteChannel(file, StandardOpenOption.READ), CTX)) {
      ch.position(2L * SEG - 1);
      IOException e = assertThrows(IOException.class, () -> ch.read(ByteBuffer.allocate(4)));
      assertTrue(e.getMessage().contains("authenticate"));
    }
  }
}
