package dev.bulwark.crypto;

import dev.bulwark.crypto.spi.KekProvider;
import dev.bulwark.crypto.spi.KekRef;
import dev.bulwark.crypto.spi.KeyringRecord;
import dev.bulwark.crypto.spi.KeyringStore;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.InstantSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All keyrings of one application: a {@link KeyringStore} for their state, a {@link KekProvider}
 * for their KEKs, a clock and a rotation policy. A keyring id doubles as a crypto-shredding scope
 * (one keyring per tenant or per subject).
 *
 * <pre>{@code
 * import com.google.crypto.tink.Aead;
 * import java.nio.file.Path;
 *
 * // Given: Path path, Aead master
 * Keyrings keyrings = Keyrings.builder(KeyringStores.encryptedFile(path, master),
 *         KekProviders.local(master)).build();
 * Envelope envelope = Envelope.builder(keyrings).build();
 * }</pre>
 *
 * <p>Thread-safe. Several processes may share one store; they coordinate through its
 * compare-and-set and see each other's changes within {@code refreshInterval}.
 */
public final class Keyrings {
  private final KeyringStore store;
  private final KekProvider provider;
  private final InstantSource clock;
  private final RotationPolicy rotationPolicy;
  private final Duration refreshInterval;
  private final KeyEventListener listener;
  private final ConcurrentHashMap<String, Keyring> open = new ConcurrentHashMap<>();

  private Keyrings(Builder b) {
    this.store = b.store;
    this.provider = b.provider;
    this.clock = b.clock;
    this.rotationPolicy = b.rotationPolicy;
    this.refreshInterval = b.refreshInterval;
    this.listener = b.listener;
  }

  /** Starts a builder over a store and a KEK provider (both required). */
  public static Builder builder(KeyringStore store, KekProvider provider) {
    return new Builder(store, provider);
  }

  /**
   * The keyring {@code keyringId}, creating it with a first primary KEK if it never existed.
   *
   * @throws ScopeShreddedException if the keyring was shredded (it is never re-created)
   */
  public Keyring keyring(String keyringId) throws GeneralSecurityException {
    Keyring k = handle(keyringId);
    k.ensureCreated();
    return k;
  }

  /** The keyring {@code keyringId} if it exists (shredded ones included), without creating it. */
  public Optional<Keyring> existing(String keyringId) throws GeneralSecurityException {
    KeyringRecord.validateId(keyringId);
    Keyring k = open.get(keyringId);
    if (k == null) {
      // Ids come from untrusted headers: keep a handle only for keyrings that exist.
      if (store.load(keyringId).isEmpty()) {
        return Optional.empty();
      }
      k = handle(keyringId);
    }
    return k.exists() ? Optional.of(k) : Optional.empty();
  }

  Keyring handle(String keyringId) {
    KeyringRecord.validateId(keyringId);
    return open.computeIfAbsent(keyringId, id -> new Keyring(this, id));
  }

  /** The ids of every stored keyring, sorted. */
  public List<String> keyringIds() throws GeneralSecurityException {
    return new ArrayList<>(store.keyringIds());
  }

  /**
   * Crypto-shreds a scope: destroys every KEK version of keyring {@code scope} and writes a
   * tombstone, so all its ciphertexts become undecryptable and the keyring is never silently
   * re-created. Idempotent: shredding again returns the first receipt's facts. A scope that never
   * existed gets a tombstone too.
   */
  public ShredReceipt shred(String scope) throws GeneralSecurityException {
    return handle(scope).shred();
  }

  KeyringStore store() {
    return store;
  }

  KekProvider provider() {
    return provider;
  }

  Instant now() {
    return clock.instant();
  }

  RotationPolicy rotationPolicy() {
    return rotationPolicy;
  }

  Duration refreshInterval() {
    return refreshInterval;
  }

  /**
   * Hands a stored change to the listener: a fail-closed {@link KeyEventGuard}'s refusal
   * propagates; any other listener failure is reported through {@link KeyEventGuard#LOG_FALLBACK}.
   */
  void emit(String type, String keyringId, Map<String, String> details) {
    KeyEvent event = new KeyEvent(type, keyringId, clock.instant(), details);
    try {
      listener.onEvent(event);
    } catch (KeyEventNotRecordedException refused) {
      throw refused;
    } catch (RuntimeException failure) {
      KeyEventGuard.LOG_FALLBACK.accept(event, failure);
    }
  }

  void destroyQuietly(KekRef ref) {
    try {
      provider.destroy(ref);
    } catch (GeneralSecurityException | RuntimeException e) {
      // An orphan KEK from a lost race; it is referenced nowhere.
    }
  }

  @Override
  public String toString() {
    return "Keyrings[" + store + ", " + provider + ", " + rotationPolicy + "]";
  }

  /** Configures {@link Keyrings}. */
  public static final class Builder {
    private final KeyringStore store;
    private final KekProvider provider;
    private InstantSource clock = Clock.systemUTC();
    private RotationPolicy rotationPolicy = RotationPolicy.DEFAULT;
    private Duration refreshInterval = Duration.ofSeconds(30);
    private KeyEventListener listener = KeyEventListener.NONE;

    private Builder(KeyringStore store, KekProvider provider) {
      if (store == null || provider == null) {
        throw new IllegalArgumentException("store and provider are required");
      }
      this.store = store;
      this.provider = provider;
    }

    /** The clock for key ages, rotation and receipts (default: system UTC). */
    public Builder clock(InstantSource clock) {
      if (clock == null) {
        throw new IllegalArgumentException("clock must not be null");
      }
      this.clock = clock;
      return this;
    }

    /** Automatic rotation by age and count (default {@link RotationPolicy#DEFAULT}). */
    public Builder rotationPolicy(RotationPolicy policy) {
      if (policy == null) {
        throw new IllegalArgumentException("policy must not be null");
      }
      this.rotationPolicy = policy;
      return this;
    }

    /**
     * How long a process trusts its copy of a keyring before re-reading the store (default 30 s):
     * another process's rotation, reservation, state change or shred is seen at the first call once
     * this much time has passed since the copy was read. {@link Duration#ZERO} re-reads the store on
     * every call, also when the clock has not moved since the last read (a fixed clock, or two calls
     * within one tick).
     */
    public Builder refreshInterval(Duration interval) {
      if (interval == null || interval.isNegative()) {
        throw new IllegalArgumentException("refreshInterval must not be negative");
      }
      this.refreshInterval = interval;
      return this;
    }

    /**
     * Receives a {@link KeyEvent} for every stored keyring change (creation, rotation, disable,
     * enable, destroy, minimum version, shred); default {@link KeyEventListener#NONE}. Wrap it in
     * a {@link KeyEventGuard} to count failures, choose a fallback or fail closed.
     */
    public Builder listener(KeyEventListener listener) {
      if (listener == null) {
        throw new IllegalArgumentException("listener must not be null");
      }
      this.listener = listener;
      return this;
    }

    /** Builds. */
    public Keyrings build() {
      return new Keyrings(this);
    }
  }
}
