package dev.bulwark.crypto;

import com.google.crypto.tink.Aead;
import dev.bulwark.crypto.spi.Kek;
import dev.bulwark.crypto.spi.KekProvider;
import dev.bulwark.crypto.spi.KekRef;
import dev.bulwark.crypto.spi.KeyringStore;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** A test keyring set: in-memory store, local KEKs under a random master key, a movable clock. */
final class Fixture {
  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  final KeyringStore store = KeyringStores.inMemory();
  final CountingProvider provider;
  final Keyrings keyrings;

  Fixture() throws GeneralSecurityException {
    this(RotationPolicy.DEFAULT);
  }

  Fixture(RotationPolicy policy) throws GeneralSecurityException {
    provider = new CountingProvider(KekProviders.local(randomMaster()));
    keyrings = Keyrings.builder(store, provider).clock(now::get).rotationPolicy(policy)
        .refreshInterval(Duration.ZERO).build();
  }

  static Aead randomMaster() throws GeneralSecurityException {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return KekProviders.masterKey(k);
  }

  Envelope envelope() {
    return Envelope.builder(keyrings).build();
  }

  void advance(Duration d) {
    now.updateAndGet(t -> t.plus(d));
  }

  /** Counts KEK calls, to check caching. */
  static final class CountingProvider implements KekProvider {
    final KekProvider delegate;
    final AtomicInteger wraps = new AtomicInteger();
    final AtomicInteger unwraps = new AtomicInteger();
    final AtomicInteger destroys = new AtomicInteger();

    CountingProvider(KekProvider delegate) {
      this.delegate = delegate;
    }

    @Override
    public String providerId() {
      return delegate.providerId();
    }

    @Override
    public KekRef create(String keyringId, int version) throws GeneralSecurityException {
      return delegate.create(keyringId, version);
    }

    @Override
    public Kek open(KekRef ref) throws GeneralSecurityException {
      Kek k = delegate.open(ref);
      return new Kek() {
        @Override
        public byte[] wrap(byte[] dataKey, byte[] aad) throws GeneralSecurityException {
          wraps.incrementAndGet();
          return k.wrap(dataKey, aad);
        }

        @Override
        public byte[] unwrap(byte[] wrapped, byte[] aad) throws GeneralSecurityException {
          unwraps.incrementAndGet();
          return k.unwrap(wrapped, aad);
        }
      };
    }

    @Override
    public void destroy(KekRef ref) throws GeneralSecurityException {
      destroys.incrementAndGet();
      delegate.destroy(ref);
    }
  }
}
