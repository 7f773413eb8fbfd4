package dev.bulwark.crypto;

import dev.bulwark.common.Bytes;
import dev.bulwark.crypto.internal.Header;
import dev.bulwark.crypto.internal.Primitives;
import dev.bulwark.crypto.spi.Kek;
import dev.bulwark.crypto.spi.KekRef;
import dev.bulwark.crypto.spi.KeyringRecord;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * A keyring: versioned KEKs with one primary that wraps new data keys, older versions kept for
 * decryption, a minimum decryptable version, and automatic rotation by age and by number of
 * encryptions. Obtain one from {@link Keyrings#keyring(String)}.
 *
 * <p>Thread-safe. Every change is a compare-and-set on the {@link dev.bulwark.crypto.spi.KeyringStore};
 * a failed change leaves the stored record as it was.
 *
 * <p>Security considerations: the encryption count is reserved in the store in blocks before it
 * is used, so a crash or a second node can only make the stored count higher than the truth,
 * never lower; rotation by count therefore never lets a version exceed its budget.
 */
public final class Keyring {
  private static final int DECRYPT_CACHE_MAX = 4096;

  private final Keyrings owner;
  private final String id;
  private volatile Snapshot snapshot;
  private final ConcurrentHashMap<Integer, Kek> opened = new ConcurrentHashMap<>();
  private volatile Allotment allotment;
  final AtomicReference<CachedDek> encryptCache = new AtomicReference<>();
  private final ConcurrentHashMap<UnwrapKey, CachedDek> decryptCache = new ConcurrentHashMap<>();
  /** The most recent decrypt-cache hit or insert: repeated decryptions under one DEK skip the map. */
  private volatile CachedDek lastDecrypted;

  /**
   * A loaded record with what every encryption needs precomputed: when it goes stale, its primary
   * version and when that primary is due for rotation by age.
   */
  private static final class Snapshot {
    final Optional<KeyringRecord> record;
    /** Null when the refresh interval is zero: the copy is never trusted, not even within one clock tick. */
    final Instant staleAt;
    final KeyVersion primary;
    final Instant rotateAt;

    Snapshot(Optional<KeyringRecord> record, Instant loadedAt, Keyrings owner) {
      this.record = record;
      this.staleAt = owner.refreshInterval().isZero() ? null : loadedAt.plus(owner.refreshInterval());
      this.primary = record.flatMap(KeyringRecord::primary).orElse(null);
      this.rotateAt = primary == null ? null : primary.createdAt().plus(owner.rotationPolicy().maxAge());
    }

    /**
     * Whether this copy must be re-read at {@code now}: always with a zero refresh interval, even
     * when the clock has not moved since the load (a fixed clock, or two calls within one tick of a
     * coarse one), otherwise once the interval has passed.
     */
    boolean stale(Instant now) {
      return staleAt == null || !now.isBefore(staleAt);
    }
  }

  private record UnwrapKey(int version, Bytes wrapped) {}

  /** Encryptions this process may still count against {@code version} without asking the store. */
  private static final class Allotment {
    final int version;
    final AtomicLong remaining;

    Allotment(int version, long remaining) {
      this.version = version;
      this.remaining = new AtomicLong(remaining);
    }
  }

  /** A data key ready for encryption. */
  static final class DataKey {
    final int version;
    final byte[] dek;
    final byte[] wrapped;
    /** Whether other messages may use this key too (cached); if not, the user destroys it after use. */
    final boolean shared;
    private volatile byte[] oneShotPrefix;
    private volatile Primitives.DekKdf kdf;
    private volatile Primitives.ContentKey contentKey;

    DataKey(int version, byte[] dek, byte[] wrapped, boolean shared) {
      this.version = version;
      this.dek = dek;
      this.wrapped = wrapped;
      this.shared = shared;
    }

    /** The format 2 key derivation of this data key; its pad states are hashed once per data key. */
    Primitives.DekKdf kdf() {
      Primitives.DekKdf k = kdf;
      if (k == null) {
        k = Primitives.dekKdf(dek);
        kdf = k;
      }
      return k;
    }

    /**
     * The format 3 one-shot content key and commitment of this data key, derived once per data key
     * (threads racing on the first use derive equal values).
     */
    Primitives.ContentKey contentKey() throws GeneralSecurityException {
      Primitives.ContentKey k = contentKey;
      if (k == null) {
        k = Primitives.deriveV3(dek, Header.SUITE_ONE_SHOT);
        contentKey = k;
      }
      return k;
    }

    /** Wipes an unshared data key after its one use; a shared one stays until it is dropped. */
    void destroyIfUnshared() {
      if (!shared) {
        destroy();
      }
    }

    private void destroy() {
      wipe(dek);
      Primitives.DekKdf k = kdf;
      if (k != null) {
        k.destroy();
      }
      Primitives.ContentKey c = contentKey;
      if (c != null) {
        c.destroy();
      }
    }

    /** The format 3 one-shot header up to the nonce; computed once per data key. */
    byte[] oneShotPrefix(String keyringId) {
      byte[] p = oneShotPrefix;
      if (p == null) {
        p = Header.encodeOneShotPrefix(keyringId, version, wrapped);
        oneShotPrefix = p;
      }
      return p;
    }

    @Override
    public String toString() {
      return "DataKey[v" + version + ", redacted]";
    }
  }

  /**
   * A data key shared by several messages. Every use is counted before it happens, so concurrent
   * users can only over-count: a key never serves more than {@code maxMessages} messages or
   * {@code maxBytes} plaintext bytes, and never once {@code maxAge} has passed since its creation.
   * The limits are those of the policy of each caller (envelopes with different policies may share
   * a keyring's cache; each enforces its own limits against the shared counts).
   */
  static final class CachedDek {
    final DataKey key;
    final Instant createdAt;
    final AtomicLong messages = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();

    CachedDek(DataKey key, Instant createdAt) {
      this.key = key;
      this.createdAt = createdAt;
    }

    boolean fresh(Instant now, DataKeyCachePolicy p) {
      return now.isBefore(createdAt.plus(p.maxAge()));
    }

    boolean tryUse(Instant now, long size, DataKeyCachePolicy p) {
      if (!fresh(now, p)) {
        return false;
      }
      if (messages.incrementAndGet() > p.maxMessages()) {
        return false;
      }
      return bytes.addAndGet(size) <= p.maxBytes();
    }

    /** One decryption with this key (the decryption cache limits messages and age, not bytes). */
    boolean tryDecrypt(Instant now, DataKeyCachePolicy p) {
      return fresh(now, p) && messages.incrementAndGet() <= p.maxMessages();
    }

    @Override
    public String toString() {
      return "CachedDek[redacted]";
    }
  }

  Keyring(Keyrings owner, String id) {
    this.owner = owner;
    this.id = id;
  }

  /** The keyring (and shredding scope) id. */
  public String id() {
    return id;
  }

  private KeyringRecord reload() throws GeneralSecurityException {
    Optional<KeyringRecord> r = owner.store().load(id);
    install(r);
    return r.orElse(null);
  }

  /**
   * Installs a record unless a newer one is already installed (concurrent reloads race). When the
   * new record changes what may decrypt (a shred, a state or minimum-version change, made here or
   * by another process), cached data keys are dropped, so no key of a shredded scope or destroyed
   * version stays in this process longer than one refresh interval.
   */
  private synchronized void install(Optional<KeyringRecord> r) {
    Snapshot s = snapshot;
    if (s != null && s.record.isPresent()
        && (r.isEmpty() || r.get().revision() < s.record.get().revision())) {
      snapshot = new Snapshot(s.record, owner.now(), owner);
      return;
    }
    if (s != null && s.record.isPresent() && r.isPresent() && !sameKeyStates(s.record.get(), r.get())) {
      clearCaches();
    }
    snapshot = new Snapshot(r, owner.now(), owner);
  }

  private static boolean sameKeyStates(KeyringRecord a, KeyringRecord b) {
    if (a.shreddedAt().isPresent() != b.shreddedAt().isPresent()
        || a.minDecryptableVersion() != b.minDecryptableVersion()) {
      return false;
    }
    int n = Math.min(a.versions().size(), b.versions().size());
    for (int i = 0; i < n; i++) {
      if (a.versions().get(i).state() != b.versions().get(i).state()) {
        return false;
      }
    }
    return true;
  }

  /** The current snapshot, re-read from the store once the refresh interval has passed. */
  private Snapshot current(Instant now) throws GeneralSecurityException {
    Snapshot s = snapshot;
    if (s == null || s.record.isEmpty() || s.stale(now)) {
      reload();
      s = snapshot;
    }
    return s;
  }

  private Optional<KeyringRecord> current() throws GeneralSecurityException {
    return current(owner.now()).record;
  }

  private Snapshot live(Instant now) throws GeneralSecurityException {
    Snapshot s = current(now);
    KeyringRecord r = s.record.orElseThrow(() -> new KeyUnavailableException("unknown keyring '" + id + "'"));
    if (r.shreddedAt().isPresent()) {
      throw new ScopeShreddedException(id);
    }
    return s;
  }

  private KeyringRecord live() throws GeneralSecurityException {
    return live(owner.now()).record.orElseThrow();
  }

  boolean exists() throws GeneralSecurityException {
    return current().isPresent();
  }

  void ensureCreated() throws GeneralSecurityException {
    ensureCreated(owner.now());
  }

  void ensureCreated(Instant now) throws GeneralSecurityException {
    Optional<KeyringRecord> existing = current(now).record;
    if (existing.isPresent()) {
      if (existing.get().shreddedAt().isPresent()) {
        throw new ScopeShreddedException(id);
      }
      return;
    }
    synchronized (this) {
      if (reload() != null) {
        live();
        return;
      }
      KekRef ref = owner.provider().create(id, 1);
      KeyVersion v1 = new KeyVersion(1, KeyState.PRIMARY, owner.now(), 0, Optional.of(ref));
      KeyringRecord rec = new KeyringRecord(id, 1, List.of(v1), 1, Optional.empty());
      if (!owner.store().compareAndSet(0, rec)) {
        owner.destroyQuietly(ref);
        reload();
        live();
        return;
      }
      install(Optional.of(rec));
      owner.emit(KeyEvent.KEYRING_CREATED, id, Map.of("version", "1"));
    }
  }

  /** Every version ever created, in order. */
  public List<KeyVersion> versions() throws GeneralSecurityException {
    return current().map(KeyringRecord::versions).orElse(List.of());
  }

  /** The version that wraps new data keys. */
  public int primaryVersion() throws GeneralSecurityException {
    return live().primary().orElseThrow().version();
  }

  /** The lowest version that may decrypt. */
  public int minDecryptableVersion() throws GeneralSecurityException {
    return live().minDecryptableVersion();
  }

  /** When this scope was shredded, if it was. */
  public Optional<Instant> shreddedAt() throws GeneralSecurityException {
    return current().flatMap(KeyringRecord::shreddedAt);
  }

  /**
   * Creates a new primary KEK version; the old primary becomes decrypt-only.
   *
   * @return the new primary version
   */
  public KeyVersion rotate() throws GeneralSecurityException {
    return rotateFrom(-1, "manual");
  }

  /** Rotates if {@code expectedPrimary} is still primary (-1: always); {@code trigger} goes in the event. */
  private synchronized KeyVersion rotateFrom(int expectedPrimary, String trigger) throws GeneralSecurityException {
    while (true) {
      KeyringRecord r = reload();
      if (r == null) {
        throw new KeyUnavailableException("unknown keyring '" + id + "'");
      }
      if (r.shreddedAt().isPresent()) {
        throw new ScopeShreddedException(id);
      }
      KeyVersion primary = r.primary().orElseThrow();
      if (expectedPrimary >= 0 && primary.version() != expectedPrimary) {
        return primary;
      }
      int next = r.versions().size() + 1;
      KekRef ref = owner.provider().create(id, next);
      KeyVersion created = new KeyVersion(next, KeyState.PRIMARY, owner.now(), 0, Optional.of(ref));
      List<KeyVersion> versions = new ArrayList<>(r.versions());
      versions.set(primary.version() - 1, primary.withState(KeyState.DECRYPT_ONLY));
      versions.add(created);
      KeyringRecord nr = new KeyringRecord(id, r.revision() + 1, versions, r.minDecryptableVersion(), Optional.empty());
      if (owner.store().compareAndSet(r.revision(), nr)) {
        install(Optional.of(nr));
        encryptCache.set(null);
        allotment = null;
        owner.emit(KeyEvent.KEY_ROTATED, id, Map.of("version", Integer.toString(next),
            "previous_version", Integer.toString(primary.version()), "trigger", trigger));
        return created;
      }
      owner.destroyQuietly(ref);
      expectedPrimary = expectedPrimary < 0 ? -1 : expectedPrimary;
    }
  }

  /**
   * Sets the minimum decryptable version (reversible). It cannot exceed the primary version.
   */
  public void setMinDecryptableVersion(int version) throws GeneralSecurityException {
    boolean changed = mutate(r -> {
      if (version < 1 || version > r.primary().orElseThrow().version()) {
        throw new IllegalArgumentException("minimum decryptable version must be in 1..primary");
      }
      if (r.minDecryptableVersion() == version) {
        return r;
      }
      return new KeyringRecord(id, r.revision() + 1, r.versions(), version, Optional.empty());
    });
    if (changed) {
      owner.emit(KeyEvent.MIN_VERSION_CHANGED, id, Map.of("version", Integer.toString(version)));
    }
  }

  /** Disables a decrypt-only version (reversible with {@link #enable}). */
  public void disable(int version) throws GeneralSecurityException {
    if (setState(version, KeyState.DECRYPT_ONLY, KeyState.DISABLED)) {
      owner.emit(KeyEvent.KEY_DISABLED, id, Map.of("version", Integer.toString(version)));
    }
  }

  /** Re-enables a disabled version for decryption. */
  public void enable(int version) throws GeneralSecurityException {
    if (setState(version, KeyState.DISABLED, KeyState.DECRYPT_ONLY)) {
      owner.emit(KeyEvent.KEY_ENABLED, id, Map.of("version", Integer.toString(version)));
    }
  }

  /**
   * Destroys a non-primary version's KEK (irreversible): data still wrapped under it can no longer
   * be decrypted. Check {@link BulkRewrap} dependency counts first.
   */
  public void destroy(int version) throws GeneralSecurityException {
    KeyringRecord r = live();
    KeyVersion v = r.version(version).orElseThrow(() -> new IllegalArgumentException("no version " + version));
    if (v.state() == KeyState.PRIMARY) {
      throw new IllegalStateException("rotate before destroying the primary version");
    }
    if (v.state() == KeyState.DESTROYED) {
      return;
    }
    owner.provider().destroy(v.kekRef().orElseThrow());
    boolean changed = mutate(cur -> {
      List<KeyVersion> vs = new ArrayList<>(cur.versions());
      KeyVersion cv = vs.get(version - 1);
      if (cv.state() == KeyState.PRIMARY) {
        throw new IllegalStateException("rotate before destroying the primary version");
      }
      if (cv.state() == KeyState.DESTROYED) {
        return cur;
      }
      vs.set(version - 1, cv.withState(KeyState.DESTROYED));
      return new KeyringRecord(id, cur.revision() + 1, vs, cur.minDecryptableVersion(), Optional.empty());
    });
    if (changed) {
      owner.emit(KeyEvent.KEY_DESTROYED, id, Map.of("version", Integer.toString(version)));
    }
  }

  /** True when the state changed (false: it already was {@code to}). */
  private boolean setState(int version, KeyState from, KeyState to) throws GeneralSecurityException {
    return mutate(r -> {
      KeyVersion v = r.version(version).orElseThrow(() -> new IllegalArgumentException("no version " + version));
      if (v.state() == to) {
        return r;
      }
      if (v.state() != from) {
        throw new IllegalStateException("version " + version + " is " + v.state() + ", not " + from);
      }
      List<KeyVersion> vs = new ArrayList<>(r.versions());
      vs.set(version - 1, v.withState(to));
      return new KeyringRecord(id, r.revision() + 1, vs, r.minDecryptableVersion(), Optional.empty());
    });
  }

  /** Applies {@code change} with compare-and-set; false when it returned the record unchanged. */
  private synchronized boolean mutate(UnaryOperator<KeyringRecord> change) throws GeneralSecurityException {
    while (true) {
      KeyringRecord r = reload();
      if (r == null) {
        throw new KeyUnavailableException("unknown keyring '" + id + "'");
      }
      if (r.shreddedAt().isPresent()) {
        throw new ScopeShreddedException(id);
      }
      KeyringRecord nr = change.apply(r);
      if (nr == r) {
        return false;
      }
      if (owner.store().compareAndSet(r.revision(), nr)) {
        install(Optional.of(nr));
        clearCaches();
        return true;
      }
    }
  }

  private void clearCaches() {
    encryptCache.set(null);
    lastDecrypted = null;
    decryptCache.clear();
    opened.clear();
  }

  synchronized ShredReceipt shred() throws GeneralSecurityException {
    while (true) {
      KeyringRecord r = reload();
      if (r != null && r.shreddedAt().isPresent()) {
        clearCaches();
        return receipt(r);
      }
      List<KeyVersion> destroyed = new ArrayList<>();
      if (r != null) {
        for (KeyVersion v : r.versions()) {
          if (v.kekRef().isPresent()) {
            owner.provider().destroy(v.kekRef().get());
          }
          destroyed.add(v.withState(KeyState.DESTROYED));
        }
      }
      long rev = r == null ? 0 : r.revision();
      KeyringRecord nr = new KeyringRecord(id, rev + 1, destroyed, 1, Optional.of(owner.now()));
      if (owner.store().compareAndSet(rev, nr)) {
        install(Optional.of(nr));
        clearCaches();
        ShredReceipt receipt = receipt(nr);
        owner.emit(KeyEvent.SCOPE_SHREDDED, id, Map.of("versions_destroyed",
            receipt.versionsDestroyed().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")),
            "shredded_at", receipt.shreddedAt().toString()));
        return receipt;
      }
    }
  }

  private ShredReceipt receipt(KeyringRecord r) {
    return new ShredReceipt(id, r.versions().stream().map(KeyVersion::version).toList(), r.shreddedAt().orElseThrow());
  }

  // ---- used by Envelope ------------------------------------------------------------------------

  private Kek open(KeyVersion v) throws GeneralSecurityException {
    Kek k = opened.get(v.version());
    if (k == null) {
      try {
        k = owner.provider().open(v.kekRef().orElseThrow());
      } catch (KeyUnavailableException e) {
        throw e;
      } catch (GeneralSecurityException | RuntimeException e) {
        throw new KeyUnavailableException("KEK version " + v.version() + " of keyring '" + id + "' cannot be opened", e);
      }
      opened.put(v.version(), k);
    }
    return k;
  }

  private boolean takeAllotment(int version) {
    Allotment a = allotment;
    return a != null && a.version == version && a.remaining.getAndDecrement() > 0;
  }

  private synchronized void reserveBlock(int version) throws GeneralSecurityException {
    Allotment a = allotment;
    if (a != null && a.version == version && a.remaining.get() > 0) {
      return;
    }
    long max = owner.rotationPolicy().maxEncryptions();
    long block = Math.max(1, Math.min(65_536, max / 64));
    KeyringRecord r = reload();
    if (r == null || r.shreddedAt().isPresent()) {
      return;
    }
    KeyVersion cur = r.version(version).orElseThrow();
    if (cur.state() != KeyState.PRIMARY || cur.encryptionsReserved() >= max) {
      return;
    }
    long reserved = Math.min(max, cur.encryptionsReserved() + block);
    List<KeyVersion> vs = new ArrayList<>(r.versions());
    vs.set(version - 1, cur.withReserved(reserved));
    KeyringRecord nr = new KeyringRecord(id, r.revision() + 1, vs, r.minDecryptableVersion(), Optional.empty());
    if (owner.store().compareAndSet(r.revision(), nr)) {
      install(Optional.of(nr));
      allotment = new Allotment(version, reserved - cur.encryptionsReserved());
    }
  }

  /** Counts one encryption under the primary, rotating first when the policy says so. */
  KeyVersion acquirePrimary(Instant now) throws GeneralSecurityException {
    for (int attempt = 0; attempt < 1000; attempt++) {
      Snapshot s = live(now);
      KeyVersion p = s.primary;
      if (!now.isBefore(s.rotateAt)) {
        rotateFrom(p.version(), "age");
        continue;
      }
      if (takeAllotment(p.version())) {
        return p;
      }
      if (p.encryptionsReserved() >= owner.rotationPolicy().maxEncryptions()) {
        rotateFrom(p.version(), "count");
        continue;
      }
      reserveBlock(p.version());
    }
    throw new KeyUnavailableException("keyring '" + id + "' is too contended to encrypt");
  }

  /**
   * The data key for one message of {@code size} bytes, counted against the primary KEK version.
   * With caching enabled, a cached data key serves the message if it is fresh, belongs to the
   * primary and has room for one more message of this size; otherwise a new data key is made (and
   * cached, unless this message alone exceeds the byte limit). {@code cacheable} false (streams,
   * whose length is unknown) always makes a new, uncached data key.
   */
  DataKey dataKeyForEncryption(DataKeyCachePolicy policy, long size, boolean cacheable, Instant now)
      throws GeneralSecurityException {
    KeyVersion p = acquirePrimary(now);
    boolean cache = cacheable && policy.enabled() && size <= policy.maxBytes();
    if (cache) {
      CachedDek c = encryptCache.get();
      if (c != null && c.key.version == p.version() && c.tryUse(now, size, policy)) {
        return c.key;
      }
    }
    byte[] dek = Primitives.random(Primitives.KEY_BYTES);
    byte[] wrapped = open(p).wrap(dek, Header.wrapAad(id, p.version()));
    DataKey dk = new DataKey(p.version(), dek, wrapped, cache);
    if (cache) {
      CachedDek fresh = new CachedDek(dk, now);
      if (fresh.tryUse(now, size, policy)) {
        encryptCache.set(fresh);
      }
    }
    return dk;
  }

  /** Wraps an existing DEK under the primary (rewrap). */
  DataKey wrapUnderPrimary(byte[] dek) throws GeneralSecurityException {
    KeyVersion p = acquirePrimary(owner.now());
    return new DataKey(p.version(), dek, open(p).wrap(dek, Header.wrapAad(id, p.version())), false);
  }

  /**
   * Whether an unwrapped data key is the one a ciphertext committed to; checked (in constant time)
   * before a data key is used for a payload or enters the decryption cache.
   */
  @FunctionalInterface
  interface CommitmentCheck {
    boolean matches(DataKey key) throws GeneralSecurityException;
  }

  /**
   * Checks that {@code version} may decrypt now, then returns the data key inside {@code wrapped}
   * once {@code commitment} accepts it; any mismatch is a {@link DecryptionFailedException}.
   *
   * <p>With caching enabled the decryption cache is consulted first. It is keyed by the KEK version
   * and the exact wrapped DEK bytes (the keyring id is this keyring's), and an entry is created only
   * after the KEK's AEAD authenticated the wrapped DEK under its associated data and the commitment
   * matched, so a forged header never places a key in it. An entry serves at most
   * {@code maxMessages} decryptions and none after {@code maxAge}; then the DEK is unwrapped again.
   * Every state change that stops a version from decrypting (rotation leaves the old one
   * decryptable), and every shred, clears it. The returned key is shared when it came from or went
   * into the cache; otherwise the caller destroys it after use.
   */
  DataKey unwrap(int version, byte[] wrapped, DataKeyCachePolicy policy, Instant now, CommitmentCheck commitment)
      throws GeneralSecurityException {
    KeyringRecord r = live(now).record.orElseThrow();
    Optional<KeyVersion> ov = r.version(version);
    if (ov.isEmpty()) {
      r = reload();
      if (r == null) {
        throw new KeyUnavailableException("unknown keyring '" + id + "'");
      }
      if (r.shreddedAt().isPresent()) {
        throw new ScopeShreddedException(id);
      }
      ov = r.version(version);
    }
    KeyVersion v = ov.orElseThrow(() -> new KeyUnavailableException("keyring '" + id + "' has no KEK version " + version));
    if (!v.state().canDecrypt()) {
      throw new KeyUnavailableException("KEK version " + version + " of keyring '" + id + "' is " + v.state());
    }
    if (version < r.minDecryptableVersion()) {
      throw new KeyUnavailableException("KEK version " + version + " of keyring '" + id
          + "' is below the minimum decryptable version " + r.minDecryptableVersion());
    }
    boolean cache = policy.enabled();
    if (cache) {
      CachedDek last = lastDecrypted;
      CachedDek c = last;
      if (c == null || c.key.version != version || !Arrays.equals(c.key.wrapped, wrapped)) {
        c = decryptCache.get(new UnwrapKey(version, Bytes.copyOf(wrapped)));
      }
      if (c != null && c.tryDecrypt(now, policy)) {
        if (c != last) {
          lastDecrypted = c;
        }
        if (!commitment.matches(c.key)) {
          throw new DecryptionFailedException();
        }
        return c.key;
      }
    }
    byte[] dek;
    try {
      dek = open(v).unwrap(wrapped, Header.wrapAad(id, version));
    } catch (KeyUnavailableException e) {
      throw e;
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new DecryptionFailedException();
    }
    if (dek.length != Primitives.KEY_BYTES) {
      wipe(dek);
      throw new DecryptionFailedException();
    }
    DataKey key = new DataKey(version, dek, wrapped.clone(), cache);
    boolean matches;
    try {
      matches = commitment.matches(key);
    } catch (GeneralSecurityException | RuntimeException e) {
      key.destroy();
      throw e;
    }
    if (!matches) {
      key.destroy();
      throw new DecryptionFailedException();
    }
    if (cache) {
      CachedDek c = new CachedDek(key, now);
      c.tryDecrypt(now, policy);
      if (decryptCache.size() >= DECRYPT_CACHE_MAX) {
        decryptCache.clear();
      }
      decryptCache.put(new UnwrapKey(version, Bytes.copyOf(wrapped)), c);
      lastDecrypted = c;
    }
    return key;
  }

  @Override
  public String toString() {
    return "Keyring[" + id + "]";
  }

  static void wipe(byte[] b) {
    Arrays.fill(b, (byte) 0);
  }
}
