package dev.bulwark.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.crypto.internal.Header;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Data-key caching never lets one data key exceed its limits, whatever the order of messages,
 * sizes, clock moves, rotations and threads, and every message still round-trips. Which data key
 * a message used is read from its header (same wrapped DEK, same data key).
 */
class DataKeyCacheProperties {
  private static final EncryptionContext CTX = EncryptionContext.of("p", "cache");

  /** One encrypted message: its ciphertext, plaintext, and the clock when it was encrypted. */
  private record Sent(byte[] ciphertext, byte[] plaintext, Instant at) {}

  private static ByteBuffer dekOf(byte[] ct) throws Exception {
    return ByteBuffer.wrap(Header.parse(ct).wrappedDek());
  }

  /** Groups messages by data key and checks every limit of the policy for each key. */
  private static void assertWithinLimits(List<Sent> sent, DataKeyCachePolicy policy) throws Exception {
    Map<ByteBuffer, List<Sent>> byKey = new HashMap<>();
    for (Sent s : sent) {
      byKey.computeIfAbsent(dekOf(s.ciphertext()), k -> new ArrayList<>()).add(s);
    }
    for (List<Sent> uses : byKey.values()) {
      long bytes = uses.stream().mapToLong(s -> s.plaintext().length).sum();
      assertTrue(uses.size() <= policy.maxMessages(), uses.size() + " messages under one data key");
      // one message larger than the limit gets a key of its own; otherwise the sum is bounded
      assertTrue(uses.size() == 1 || bytes <= policy.maxBytes(), bytes + " bytes under one data key");
      Instant first = uses.stream().map(Sent::at).min(Instant::compareTo).orElseThrow();
      Instant last = uses.stream().map(Sent::at).max(Instant::compareTo).orElseThrow();
      assertTrue(Duration.between(first, last).compareTo(policy.maxAge()) < 0,
          "one data key used " + Duration.between(first, last) + " after it was made");
    }
  }

  /**
   * Steps: 0 encrypt a message of the next size, 1 advance the clock one second, 2 rotate. Every
   * message decrypts (on this envelope, on an uncached one, and on another node), and no data key
   * exceeds its message, byte or age limit.
   */
  @Test
  void roundTrip_acrossTheCacheLimits_andNoDataKeyExceedsThem() {
    PropertyRunner.forAll(80, c -> {
      int maxMessages = c.draw("maxMessages", Generators.ints(2, 6));
      int maxBytes = c.draw("maxBytes", Generators.ints(1, 120));
      int maxAgeSeconds = c.draw("maxAgeSeconds", Generators.ints(1, 4));
      List<Integer> sizes = c.draw("sizes", Generators.lists(Generators.ints(0, 150), 1, 40));
      List<Integer> steps = c.draw("steps", Generators.lists(Generators.ints(0, 2), 0, 60));
      Fixture f = new Fixture();
      DataKeyCachePolicy policy = new DataKeyCachePolicy(maxMessages, maxBytes, Duration.ofSeconds(maxAgeSeconds));
      Envelope env = Envelope.builder(f.keyrings).dataKeyCache(policy).build();
      List<Sent> sent = new ArrayList<>();
      int next = 0;
      for (int step : steps) {
        if (step == 1) {
          f.advance(Duration.ofSeconds(1));
        } else if (step == 2) {
          f.keyrings.keyring("default").rotate();
        } else {
          byte[] pt = new byte[sizes.get(next++ % sizes.size())];
          java.util.Arrays.fill(pt, (byte) next);
          sent.add(new Sent(env.encrypt(pt, CTX), pt, f.now.get()));
        }
      }
      assertWithinLimits(sent, policy);
      Envelope uncached = Envelope.builder(f.keyrings).dataKeyCache(DataKeyCachePolicy.NONE).build();
      Keyrings otherNode = Keyrings.builder(f.store, f.provider).clock(f.now::get).build();
      Envelope other = Envelope.builder(otherNode).dataKeyCache(policy).build();
      for (Sent s : sent) {
        assertArrayEquals(s.plaintext(), env.decrypt(s.ciphertext(), CTX));
        assertArrayEquals(s.plaintext(), uncached.decrypt(s.ciphertext(), CTX));
        assertArrayEquals(s.plaintext(), other.decrypt(s.ciphertext(), CTX));
      }
      Set<ByteBuffer> nonces = new HashSet<>();
      for (Sent s : sent) {
        assertTrue(nonces.add(ByteBuffer.wrap(Header.parse(s.ciphertext()).nonce())), "a nonce repeated");
      }
    });
  }

  /**
   * Threads encrypt at once while, between rounds, the clock moves and the keyring may rotate:
   * counting before use means racing threads can only waste a key's budget, never overrun it.
   */
  @Test
  void underConcurrency_noDataKeyExceedsItsLimits() {
    PropertyRunner.forAll(25, c -> {
      int maxMessages = c.draw("maxMessages", Generators.ints(2, 9));
      int maxBytes = c.draw("maxBytes", Generators.ints(20, 400));
      int maxAgeSeconds = c.draw("maxAgeSeconds", Generators.ints(1, 3));
      int rounds = c.draw("rounds", Generators.ints(1, 6));
      List<Integer> betweenRounds = c.draw("betweenRounds", Generators.lists(Generators.ints(0, 2), 1, 6));
      Fixture f = new Fixture();
      DataKeyCachePolicy policy = new DataKeyCachePolicy(maxMessages, maxBytes, Duration.ofSeconds(maxAgeSeconds));
      Envelope env = Envelope.builder(f.keyrings).dataKeyCache(policy).build();
      int threads = 4;
      int perRound = 12;
      CyclicBarrier barrier = new CyclicBarrier(threads);
      ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        for (int r = 0; r < rounds; r++) {
          // the clock is fixed within a round, so every message's time is the round's
          Instant at = f.now.get();
          List<Future<?>> futures = new ArrayList<>();
          for (int t = 0; t < threads; t++) {
            int id = t;
            futures.add(pool.submit(() -> {
              barrier.await(30, TimeUnit.SECONDS);
              for (int i = 0; i < perRound; i++) {
                byte[] pt = new byte[(id * 7 + i * 13) % 50];
                sent.add(new Sent(env.encrypt(pt, CTX), pt, at));
              }
              return null;
            }));
          }
          for (Future<?> fu : futures) {
            fu.get(60, TimeUnit.SECONDS);
          }
          int between = betweenRounds.get(r % betweenRounds.size());
          if (between == 1) {
            f.advance(Duration.ofSeconds(1));
          } else if (between == 2) {
            f.keyrings.keyring("default").rotate();
          }
        }
      } finally {
        pool.shutdownNow();
      }
      List<Sent> all = new ArrayList<>(sent);
      assertEquals(rounds * threads * perRound, all.size());
      assertWithinLimits(all, policy);
      for (Sent s : all) {
        assertArrayEquals(s.plaintext(), env.decrypt(s.ciphertext(), CTX));
      }
    });
  }
}
