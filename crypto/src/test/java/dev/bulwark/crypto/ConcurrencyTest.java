package dev.bulwark.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConcurrencyTest {

  @Test
  void manyThreadsEncrypt_whileTheKeyringRotates_andEverythingDecrypts() throws Exception {
    long budget = 50;
    Fixture f = new Fixture(new RotationPolicy(Duration.ofDays(365), budget));
    Envelope env = Envelope.builder(f.keyrings)
        .dataKeyCache(new DataKeyCachePolicy(7, 1 << 20, Duration.ofHours(1))).build();
    Keyrings node2 = Keyrings.builder(f.store, f.provider).clock(f.now::get)
        .rotationPolicy(new RotationPolicy(Duration.ofDays(365), budget)).refreshInterval(Duration.ZERO).build();
    Envelope env2 = Envelope.builder(node2).build();
    int threads = 8;
    int perThread = 150;
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    CountDownLatch start = new CountDownLatch(1);
    Map<ByteBuffer, byte[]> results = new ConcurrentHashMap<>();
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      futures.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < perThread; i++) {
          byte[] pt = ("t" + id + "-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
          Envelope e = (id % 2 == 0) ? env : env2;
          results.put(ByteBuffer.wrap(e.encrypt(pt, EncryptionContext.of("t", "" + id))), pt);
        }
        return null;
      }));
    }
    futures.add(pool.submit(() -> {
      start.await();
      for (int i = 0; i < 20; i++) {
        f.keyrings.keyring("default").rotate();
        Thread.yield();
      }
      return null;
    }));
    start.countDown();
    for (Future<?> fu : futures) {
      fu.get(120, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertEquals(threads * perThread, results.size(), "distinct ciphertexts");
    Map<Integer, Integer> perVersion = new ConcurrentHashMap<>();
    for (Map.Entry<ByteBuffer, byte[]> e : results.entrySet()) {
      byte[] ct = e.getKey().array();
      String ctxValue = new String(e.getValue(), java.nio.charset.StandardCharsets.UTF_8).substring(1).split("-")[0];
      assertArrayEquals(e.getValue(), env.decrypt(ct, EncryptionContext.of("t", ctxValue)));
      perVersion.merge(Envelope.inspect(ct).kekVersion(), 1, Integer::sum);
    }
    List<KeyVersion> versions = f.store.load("default").orElseThrow().versions();
    // with a zero refresh interval each node re-reads the store, so neither node's view may lag
    // the other node's last reservation or rotation, although the clock never moved
    assertEquals(versions, f.keyrings.keyring("default").versions(), "node 1's view of the store");
    assertEquals(versions, node2.keyring("default").versions(), "node 2's view of the store");
    assertTrue(versions.size() >= 21, "manual rotations plus automatic ones: " + versions.size());
    for (Map.Entry<Integer, Integer> e : perVersion.entrySet()) {
      KeyVersion v = versions.get(e.getKey() - 1);
      assertTrue(e.getValue() <= budget, "version " + e.getKey() + " used " + e.getValue() + " times");
      assertTrue(v.encryptionsReserved() >= e.getValue(),
          "version " + e.getKey() + " used " + e.getValue() + " times, reserved " + v.encryptionsReserved());
    }
    assertEquals(1, versions.stream().filter(v -> v.state() == KeyState.PRIMARY).count());
  }
}
