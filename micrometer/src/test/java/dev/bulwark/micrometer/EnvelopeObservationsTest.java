package dev.bulwark.micrometer;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.crypto.DecryptionFailedException;
import dev.bulwark.crypto.EncryptionContext;
import dev.bulwark.crypto.Envelope;
import dev.bulwark.crypto.KekProviders;
import dev.bulwark.crypto.KeyringStores;
import dev.bulwark.crypto.Keyrings;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@code bulwark.crypto.encrypt} / {@code bulwark.crypto.decrypt} from an observed envelope. */
class EnvelopeObservationsTest {

  private static final EncryptionContext CTX = EncryptionContext.of("tenant", "acme-corp", "record", "4711");
  private static final byte[] MSG = "payload".getBytes(StandardCharsets.UTF_8);

  private final TestObservationRegistry registry = TestObservationRegistry.create();
  private final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

  {
    registry.observationConfig().observationHandler(new ObservationHandler<>() {
      @Override
      public boolean supportsContext(Observation.Context context) {
        return true;
      }

      @Override
      public void onStop(Observation.Context context) {
        stopped.add(context);
      }
    });
  }

  private static Keyrings keyrings() throws Exception {
    byte[] master = new byte[32];
    new SecureRandom().nextBytes(master);
    return Keyrings.builder(KeyringStores.inMemory(), KekProviders.local(KekProviders.masterKey(master))).build();
  }

  private Envelope envelope() throws Exception {
    return Envelope.builder(keyrings()).keyringId("tenant-acme-corp").segmentSize(64)
        .observer(new BulwarkObservations(registry).envelope()).build();
  }

  @Test
  void encryptAndDecrypt_areTimedObservations_withOutcome() throws Exception {
    Envelope env = envelope();
    byte[] ct = env.encrypt(MSG, CTX);
    assertArrayEquals(MSG, env.decrypt(ct, CTX));
    assertThrows(DecryptionFailedException.class, () -> env.decrypt(ct, CTX.with("tenant", "other")));
    assertThat(registry)
        .hasNumberOfObservationsWithNameEqualTo("bulwark.crypto.encrypt", 1)
        .hasNumberOfObservationsWithNameEqualTo("bulwark.crypto.decrypt", 2)
        .hasAnObservation(o -> o.hasNameEqualTo("bulwark.crypto.encrypt")
            .hasLowCardinalityKeyValue("outcome", "success").hasLowCardinalityKeyValue("error", "none")
            .hasLowCardinalityKeyValue("mode", "one_shot"))
        .hasAnObservation(o -> o.hasNameEqualTo("bulwark.crypto.decrypt")
            .hasLowCardinalityKeyValue("outcome", "success").hasLowCardinalityKeyValue("error", "none"))
        .hasAnObservation(o -> o.hasNameEqualTo("bulwark.crypto.decrypt")
            .hasLowCardinalityKeyValue("outcome", "failure").hasLowCardinalityKeyValue("error", "decryption_failed")
            .doesNotHaveError());
  }

  @Test
  void malformedInput_andStreams() throws Exception {
    Envelope env = envelope();
    assertThrows(Exception.class, () -> env.decrypt(new byte[] {9, 9, 9}, CTX));
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (OutputStream out = env.newEncryptingStream(sink, CTX)) {
      out.write(new byte[300]);
    }
    try (InputStream in = env.newDecryptingStream(new ByteArrayInputStream(sink.toByteArray()), CTX)) {
      in.readAllBytes();
    }
    assertThat(registry)
        .hasAnObservation(o -> o.hasNameEqualTo("bulwark.crypto.decrypt").hasLowCardinalityKeyValue("error", "malformed")
            .hasLowCardinalityKeyValue("mode", "one_shot"))
        .hasAnObservation(o -> o.hasNameEqualTo("bulwark.crypto.encrypt").hasLowCardinalityKeyValue("mode", "stream")
            .hasLowCardinalityKeyValue("outcome", "success"))
        .hasAnObservation(o -> o.hasNameEqualTo("bulwark.crypto.decrypt").hasLowCardinalityKeyValue("mode", "stream")
            .hasLowCardinalityKeyValue("outcome", "success"));
  }

  /** Only outcome, error and mode, from fixed vocabularies: never the keyring, the context, or a size. */
  @Test
  void tags_areLowCardinality_andNameNoKeyringOrContext() throws Exception {
    Envelope env = envelope();
    for (int i = 0; i < 20; i++) {
      byte[] ct = env.encrypt(new byte[i * 100], CTX.with("row", Integer.toString(i)));
      env.decrypt(ct, CTX.with("row", Integer.toString(i)));
      assertThrows(DecryptionFailedException.class, () -> env.decrypt(ct, CTX));
    }
    assertEquals(60, stopped.size());
    Set<String> tagSets = stopped.stream().map(c -> c.getName() + " " + c.getLowCardinalityKeyValues().stream()
        .map(kv -> kv.getKey() + "=" + kv.getValue()).sorted().collect(Collectors.joining(","))).collect(Collectors.toSet());
    assertEquals(Set.of(
        "bulwark.crypto.encrypt error=none,mode=one_shot,outcome=success",
        "bulwark.crypto.decrypt error=none,mode=one_shot,outcome=success",
        "bulwark.crypto.decrypt error=decryption_failed,mode=one_shot,outcome=failure"), tagSets);
    for (Observation.Context c : stopped) {
      assertTrue(c.getHighCardinalityKeyValues().stream().findAny().isEmpty());
      String all = c.getAllKeyValues().stream().map(KeyValue::getValue).toList() + " " + c.getContextualName();
      assertTrue(!all.contains("acme") && !all.contains("4711") && !all.contains("tenant"), all);
      assertEquals(null, c.getError(), "no exception (its message may name a keyring) is attached");
    }
  }

  /** A registry whose handler throws never breaks encryption. */
  @Test
  void aFailingRegistry_neverBreaksEncryption() throws Exception {
    ObservationRegistry broken = ObservationRegistry.create();
    broken.observationConfig().observationHandler(new ObservationHandler<>() {
      @Override
      public boolean supportsContext(Observation.Context context) {
        return true;
      }

      @Override
      public void onStart(Observation.Context context) {
        throw new IllegalStateException("handler down");
      }

      @Override
      public void onStop(Observation.Context context) {
        throw new IllegalStateException("handler down");
      }
    });
    Envelope env = Envelope.builder(keyrings()).observer(new BulwarkObservations(broken).envelope()).build();
    assertArrayEquals(MSG, env.decrypt(env.encrypt(MSG, CTX), CTX));
  }

  /** A no-op registry (observations off) costs nothing visible and records nothing. */
  @Test
  void aNoopRegistry_recordsNothing() throws Exception {
    Envelope env = Envelope.builder(keyrings()).observer(new BulwarkObservations(ObservationRegistry.NOOP).envelope())
        .build();
    assertArrayEquals(MSG, env.decrypt(env.encrypt(MSG, CTX), CTX));
  }
}
