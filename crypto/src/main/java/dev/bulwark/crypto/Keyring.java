package dev.bulwark.crypto;

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
  private int allotVersion;
  private long allotRemaining;
  final AtomicReference<CachedDek> encryptCache = new AtomicReference<>();
  private final ConcurrentHashMap<UnwrapKey, CachedDek> decryptCache = new ConcurrentHashMap<>();

  private record Snapshot(Optional<KeyringRecord> record, Instant loadedAt) {}

  private record UnwrapKey(int version, Bytes wrapped) {}

  /** A data key ready for encryption. */
  static final class DataKey {
    final int version;
    final byte[] dek;
    final byte[] wrapped;

    DataKey(int version, byte[] dek, byte[] wrapped) {
      this.version = version;
      this.dek = dek;
      this.wrapped = wrapped;
    }

    @Override
    public String toString() {
      return "DataKey[v" + version + ", redacted]";
    }
  }

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
    snapshot = new Snapshot(r, owner.now());
    return r.orElse(null);
  }

  /** The current record, re-read from the store when older than the refresh interval. */
  private Optional<KeyringRecord> current() throws GeneralSecurityException {
    Snapshot s = snapshot;
    if (s == null || s.record().isEmpty()
        || owner.now().isAfter(s.loadedAt().plus(owner.refreshInterval()))) {
      reload();
      s = snapshot;
    }
    return s.record();
  }

  private KeyringRecord live() throws GeneralSecurityException {
    KeyringRecord r = current().orElseThrow(() -> new KeyUnavailableException("unknown keyring '" + id + "'"));
    if (r.shreddedAt().isPresent()) {
      throw new ScopeShreddedException(id);
    }
    return r;
  }

  boolean exists() throws GeneralSecurityException {
    return current().isPresent();
  }

  void ensureCreated() throws GeneralSecurityException {
    if (current().isPresent()) {
      live();
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
      snapshot = new Snapshot(Optional.of(rec), owner.now());
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
    return rotateFrom(-1);
  }

  /** Rotates if {@code expectedPrimary} is still primary (-1: always). */
  private synchronized KeyVersion rotateFrom(int expectedPrimary) throws GeneralSecurityException {
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
        snapshot = new Snapshot(Optional.of(nr), owner.now());
        encryptCache.set(null);
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
    mutate(r -> {
      if (version < 1 || version > r.primary().orElseThrow().version()) {
        throw new IllegalArgumentException("minimum decryptable version must be in 1..primary");
      }
      return new KeyringRecord(id, r.revision() + 1, r.versions(), version, Optional.empty());
    });
  }

  /** Disables a decrypt-only version (reversible with {@link #enable}). */
  public void disable(int version) throws GeneralSecurityException {
    setState(version, KeyState.DECRYPT_ONLY, KeyState.DISABLED);
  }

  /** Re-enables a disabled version for decryption. */
  public void enable(int version) throws GeneralSecurityException {
    setState(version, KeyState.DISABLED, KeyState.DECRYPT_ONLY);
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
    mutate(cur -> {
      List<KeyVersion> vs = new ArrayList<>(cur.versions());
      KeyVersion cv = vs.get(version - 1);
      if (cv.state() == KeyState.PRIMARY) {
        throw new IllegalStateException("rotate before destroying the primary version");
      }
      vs.set(version - 1, cv.withState(KeyState.DESTROYED));
      return new KeyringRecord(id, cur.revision() + 1, vs, cur.minDecryptableVersion(), Optional.empty());
    });
  }

  private void setState(int version, KeyState from, KeyState to) throws GeneralSecurityException {
    mutate(r -> {
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

  private synchronized void mutate(UnaryOperator<KeyringRecord> change) throws GeneralSecurityException {
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
        return;
      }
      if (owner.store().compareAndSet(r.revision(), nr)) {
        snapshot = new Snapshot(Optional.of(nr), owner.now());
        clearCaches();
        return;
      }
    }
  }

  private void clearCaches() {
    encryptCache.set(null);
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
        snapshot = new Snapshot(Optional.of(nr), owner.now());
        clearCaches();
        return receipt(nr);
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

  private synchronized boolean takeAllotment(int version) {
    if (allotVersion == version && allotRemaining > 0) {
      allotRemaining--;
      return true;
    }
    return false;
  }

  private synchronized void reserveBlock(int version) throws GeneralSecurityException {
    if (allotVersion == version && allotRemaining > 0) {
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
      snapshot = new Snapshot(Optional.of(nr), owner.now());
      allotVersion = version;
      allotRemaining = reserved - cur.encryptionsReserved();
    }
  }

  /** Counts one encryption under the primary, rotating first when the policy says so. */
  KeyVersion acquirePrimary() throws GeneralSecurityException {
    for (int attempt = 0; attempt < 1000; attempt++) {
      KeyringRecord r = live();
      KeyVersion p = r.primary().orElseThrow();
      boolean old = !owner.now().isBefore(p.createdAt().plus(owner.rotationPolicy().maxAge()));
      if (old) {
        rotateFrom(p.version());
        continue;
      }
      if (takeAllotment(p.version())) {
        return p;
      }
      if (p.encryptionsReserved() >= owner.rotationPolicy().maxEncryptions()) {
        rotateFrom(p.version());
        continue;
      }
      reserveBlock(p.version());
    }
    throw new KeyUnavailableException("keyring '" + id + "' is too contended to encrypt");
  }

  DataKey dataKeyForEncryption(DataKeyCachePolicy policy, long size) throws GeneralSecurityException {
    KeyVersion p = acquirePrimary();
    Instant now = owner.now();
    if (policy.enabled()) {
      CachedDek c = encryptCache.get();
      if (c != null && c.key.version == p.version() && c.tryUse(now, size, policy)) {
        return c.key;
      }
    }
    byte[] dek = Primitives.random(Primitives.KEY_BYTES);
    byte[] wrapped = open(p).wrap(dek, Header.wrapAad(id, p.version()));
    DataKey dk = new DataKey(p.version(), dek, wrapped);
    if (policy.enabled()) {
      CachedDek fresh = new CachedDek(dk, now);
      fresh.tryUse(now, size, policy);
      encryptCache.set(fresh);
    }
    return dk;
  }

  /** Wraps an existing DEK under the primary (rewrap). */
  DataKey wrapUnderPrimary(byte[] dek) throws GeneralSecurityException {
    KeyVersion p = acquirePrimary();
    return new DataKey(p.version(), dek, open(p).wrap(dek, Header.wrapAad(id, p.version())));
  }

  /** Checks that {@code version} may decrypt and unwraps. */
  byte[] unwrap(int version, byte[] wrapped, DataKeyCachePolicy policy) throws GeneralSecurityException {
    KeyringRecord r = live();
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
    Instant now = owner.now();
    UnwrapKey key = null;
    if (policy.enabled()) {
      key = new UnwrapKey(version, Bytes.copyOf(wrapped));
      CachedDek c = decryptCache.get(key);
      if (c != null && c.fresh(now, policy)) {
        return c.key.dek;
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
      throw new DecryptionFailedException();
    }
    if (key != null) {
      if (decryptCache.size() >= DECRYPT_CACHE_MAX) {
        decryptCache.clear();
      }
      decryptCache.put(key, new CachedDek(new DataKey(version, dek, wrapped), now));
    }
    return dek;
  }

  @Override
  public String toString() {
    return "Keyring[" + id + "]";
  }

  static void wipe(byte[] b) {
    Arrays.fill(b, (byte) 0);
  }
}
