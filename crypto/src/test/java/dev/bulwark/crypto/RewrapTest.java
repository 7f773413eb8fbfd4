package dev.bulwark.crypto;

import dev.bulwark.common.Bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.crypto.spi.CiphertextSink;
import dev.bulwark.crypto.spi.CiphertextSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RewrapTest {
  private static final EncryptionContext CTX = EncryptionContext.of("record", "7");
  private static final byte[] MSG = "rewrap me".getBytes(StandardCharsets.UTF_8);

  @Test
  void rewrap_movesToPrimary_rewritesOnlyTheHeader() throws Exception {
    Fixture f = new Fixture();
    Envelope env = f.envelope();
    byte[] ct = env.encrypt(MSG, CTX);
    f.keyrings.keyring("default").rotate();
    byte[] moved = env.rewrap(ct);
    assertEquals(2, Envelope.inspect(moved).kekVersion());
    int h = Envelope.inspect(ct).headerLength();
    assertEquals(h, Envelope.inspect(moved).headerLength());
    assertArrayEquals(Arrays.copyOfRange(ct, h, ct.length), Arrays.copyOfRange(moved, h, moved.length));
    // nonce and commitment are kept
    assertArrayEquals(Arrays.copyOfRange(ct, h - 44, h), Arrays.copyOfRange(moved, h - 44, h));
    f.keyrings.keyring("default").destroy(1);
    assertArrayEquals(MSG, env.decrypt(moved, CTX));
    assertThrows(KeyUnavailableException.class, () -> env.decrypt(ct, CTX));
  }

  @Test
  void rewrap_ofCurrentCiphertext_isIdentity() throws Exception {
    Envelope env = new Fixture().envelope();
    byte[] ct = env.encrypt(MSG, CTX);
    assertArrayEquals(ct, env.rewrap(ct));
  }

  @Test
  void rewrap_ofTamperedHeader_failsAndReturnsNothing() throws Exception {
    Fixture f = new Fixture();
    Envelope env = f.envelope();
    byte[] ct = env.encrypt(MSG, CTX);
    f.keyrings.keyring("default").rotate();
    int h = Envelope.inspect(ct).headerLength();
    byte[] commitment = ct.clone();
    commitment[h - 10] ^= 1; // inside the commitment: it no longer matches the data key
    assertThrows(DecryptionFailedException.class, () -> env.rewrap(commitment));
    byte[] wrapped = ct.clone();
    wrapped[h - 60] ^= 1; // inside the wrapped DEK: the KEK's AEAD refuses it
    assertThrows(DecryptionFailedException.class, () -> env.rewrap(wrapped));
  }

  @Test
  void rewrap_neverReadsThePayload_soATamperedNonceOrPayloadStillFailsOnDecryption() throws Exception {
    Fixture f = new Fixture();
    Envelope env = f.envelope();
    byte[] ct = env.encrypt(MSG, CTX);
    f.keyrings.keyring("default").rotate();
    int h = Envelope.inspect(ct).headerLength();
    for (int at : new int[] {h - 40, h + 2, ct.length - 1}) { // nonce, ciphertext, tag
      byte[] tampered = ct.clone();
      tampered[at] ^= 1;
      byte[] moved = env.rewrap(tampered);
      assertEquals(2, Envelope.inspect(moved).kekVersion());
      assertThrows(DecryptionFailedException.class, () -> env.decrypt(moved, CTX));
    }
  }

  @Test
  void rewrapHeader_ofStream_keepsPayload() throws Exception {
    Fixture f = new Fixture();
    Envelope env = Envelope.builder(f.keyrings).segmentSize(64).build();
    byte[] data = new byte[1000];
    new java.util.Random(1).nextBytes(data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream s = env.newEncryptingStream(out, CTX)) {
      s.write(data);
    }
    byte[] ct = out.toByteArray();
    f.keyrings.keyring("default").rotate();
    Envelope.RewrittenHeader rh = env.rewrapHeader(new ByteArrayInputStream(ct));
    ByteArrayOutputStream moved = new ByteArrayOutputStream();
    moved.write(rh.newHeader().toByteArray());
    moved.write(ct, rh.oldHeaderLength(), ct.length - rh.oldHeaderLength());
    f.keyrings.keyring("default").destroy(1);
    assertArrayEquals(data, env.newDecryptingStream(new ByteArrayInputStream(moved.toByteArray()), CTX).readAllBytes());
  }

  /** A sorted map as a host's table. */
  static final class Table implements CiphertextSource, CiphertextSink {
    final TreeMap<String, Bytes> rows = new TreeMap<>();
    int failAt = -1;
    int reads;

    @Override
    public List<Item> page(Optional<String> afterId, int limit) {
      if (reads++ == failAt) {
        throw new IllegalStateException("source down");
      }
      Map<String, Bytes> tail = afterId.isPresent() ? rows.tailMap(afterId.get(), false) : rows;
      List<Item> out = new ArrayList<>();
      for (Map.Entry<String, Bytes> e : tail.entrySet()) {
        if (out.size() == limit) {
          break;
        }
        out.add(new Item(e.getKey(), e.getValue()));
      }
      return out;
    }

    @Override
    public boolean replace(String id, Bytes expected, Bytes replacement) {
      return rows.replace(id, expected, replacement);
    }
  }

  @Test
  void bulkRewrap_isResumable_andCountsDependents() throws Exception {
    Fixture f = new Fixture();
    Envelope env = f.envelope();
    Table t = new Table();
    for (int i = 0; i < 25; i++) {
      t.rows.put(String.format("row-%03d", i), Bytes.copyOf(env.encrypt(("m" + i).getBytes(StandardCharsets.UTF_8), CTX)));
      if (i == 9) {
        f.keyrings.keyring("default").rotate();
      }
    }
    t.rows.put("row-999", Bytes.copyOf(new byte[] {9, 9, 9}));
    f.keyrings.keyring("default").rotate(); // v3 primary; rows on v1 (10) and v2 (15)
    BulkRewrap bulk = new BulkRewrap(env, 4);
    List<RewrapProgress> seen = new ArrayList<>();
    t.failAt = 3;
    RewrapProgress checkpoint = RewrapProgress.start();
    try {
      bulk.run(t, t, checkpoint, Long.MAX_VALUE, p -> seen.add(p));
    } catch (IllegalStateException expected) {
      checkpoint = seen.get(seen.size() - 1);
    }
    assertEquals(12, checkpoint.scanned());
    assertEquals(Optional.of("row-011"), checkpoint.lastId());
    RewrapProgress done = bulk.run(t, t, checkpoint, Long.MAX_VALUE, p -> seen.add(p));
    assertTrue(done.complete());
    assertEquals(26, done.scanned());
    assertEquals(25, done.rewrapped());
    assertEquals(1, done.failed());
    assertEquals(0, done.dependentsOf("default", 1));
    assertEquals(0, done.dependentsOf("default", 2));
    assertEquals(25, done.dependentsOf("default", 3));
    for (int i = 0; i < 25; i++) {
      byte[] ct = t.rows.get(String.format("row-%03d", i)).toByteArray();
      assertEquals(3, Envelope.inspect(ct).kekVersion());
      assertArrayEquals(("m" + i).getBytes(StandardCharsets.UTF_8), env.decrypt(ct, CTX));
    }
    RewrapProgress again = bulk.run(t, t, RewrapProgress.start(), Long.MAX_VALUE, p -> { });
    assertEquals(25, again.alreadyCurrent());
    assertEquals(0, again.rewrapped());
  }

  @Test
  void bulkRewrap_leavesUnrewrappableItemsUnchanged_andCountsThem() throws Exception {
    Fixture f = new Fixture();
    Envelope env = f.envelope();
    Table t = new Table();
    byte[] ct = env.encrypt(MSG, CTX);
    t.rows.put("a", Bytes.copyOf(ct));
    Keyring k = f.keyrings.keyring("default");
    k.rotate();
    k.disable(1);
    RewrapProgress p = new BulkRewrap(env, 10).run(t, t, RewrapProgress.start(), 100, x -> { });
    assertEquals(1, p.failed());
    assertEquals(1, p.dependentsOf("default", 1));
    assertArrayEquals(ct, t.rows.get("a").toByteArray());
  }
}
