package dev.bulwark.crypto;

import dev.bulwark.common.Bytes;
import dev.bulwark.crypto.internal.Header;
import dev.bulwark.crypto.internal.Observed;
import dev.bulwark.crypto.internal.Primitives;
import dev.bulwark.crypto.internal.SeekableDecryptingChannel;
import dev.bulwark.crypto.internal.StreamingDecryptingInputStream;
import dev.bulwark.crypto.internal.StreamingEncryptingOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.security.GeneralSecurityException;
import java.time.Instant;

/**
 * Envelope encryption: every message is encrypted with AES-256-GCM under a data key's (DEK's)
 * content key, derived from the DEK with HKDF-SHA256, and a fresh random 96-bit nonce; the DEK is
 * wrapped by the primary KEK of a {@link Keyring}; the header carries the keyring id, KEK version,
 * wrapped DEK, nonce and a 32-byte key commitment (ciphertext format 3). The
 * {@link EncryptionContext} is authenticated.
 *
 * <pre>{@code
 * // Given: Envelope envelope, byte[] plaintext
 * byte[] ct = envelope.encrypt(plaintext, EncryptionContext.of("tenant", "acme"));
 * byte[] pt = envelope.decrypt(ct, EncryptionContext.of("tenant", "acme"));
 * }</pre>
 *
 * <p>By default one DEK serves several messages of a keyring ({@link DataKeyCachePolicy#DEFAULT}:
 * at most 65,536 messages, 4 GiB or 5 minutes), so the KEK (perhaps a remote KMS) is called once
 * per DEK rather than once per message; the message limit (at most 2^24) is what keeps random
 * nonces from repeating under one content key. Use
 * {@link Builder#dataKeyCache(DataKeyCachePolicy) dataKeyCache(DataKeyCachePolicy.NONE)} for a
 * fresh DEK per message. Streams are written in format 2 (a key of their own per stream, derived
 * from the DEK and a random salt); one-shot ciphertexts of formats 1 and 2 are still decrypted and
 * rewrapped.
 *
 * <p>Thread-safe. Decryption resolves the keyring named in the header, so one envelope decrypts
 * every scope of its {@link Keyrings}.
 *
 * <p>Security considerations: decryption verifies the key commitment (in constant time) before the
 * payload, so a ciphertext opens under one data key only; any failure is a
 * {@link GeneralSecurityException} that never says which check failed. Streaming decryption
 * releases a segment only after its tag verified, and detects truncation and extension.
 */
public final class Envelope {
  private static final byte[] NO_INFO = new byte[0];

  private final Keyrings keyrings;
  private final String keyringId;
  private final DataKeyCachePolicy cachePolicy;
  private final int segmentSize;
  /** Null when there is none: then no observer code runs at all. */
  private final EnvelopeObserver observer;
  /** {@code keyrings.handle(keyringId)}, resolved on first use (handles never change). */
  private volatile Keyring handle;

  private Envelope(Keyrings keyrings, String keyringId, DataKeyCachePolicy cachePolicy, int segmentSize,
      EnvelopeObserver observer) {
    this.keyrings = keyrings;
    this.keyringId = keyringId;
    this.cachePolicy = cachePolicy;
    this.segmentSize = segmentSize;
    this.observer = observer;
  }

  /** Starts a builder. */
  public static Builder builder(Keyrings keyrings) {
    return new Builder(keyrings);
  }

  /** The same envelope encrypting under another keyring (scope), such as one per tenant. */
  public Envelope forKeyring(String otherKeyringId) {
    dev.bulwark.crypto.spi.KeyringRecord.validateId(otherKeyringId);
    return new Envelope(keyrings, otherKeyringId, cachePolicy, segmentSize, observer);
  }

  /** The keyring this envelope encrypts under. */
  public String keyringId() {
    return keyringId;
  }

  /**
   * Encrypts {@code plaintext} bound to {@code context} (format 3: AES-256-GCM under the data key's
   * content key with a fresh random 96-bit nonce).
   */
  public byte[] encrypt(byte[] plaintext, EncryptionContext context) throws GeneralSecurityException {
    return observed(EnvelopeObserver.Operation.ENCRYPT, (e, p, c) -> e.encryptMessage(p, c), plaintext, context);
  }

  /** One one-shot operation of an envelope; the lambdas are non-capturing, so no call allocates one. */
  @FunctionalInterface
  private interface OneShot {
    byte[] run(Envelope envelope, byte[] input, EncryptionContext context) throws GeneralSecurityException;
  }

  /** Runs {@code work}, reporting its start and end to the observer when there is one. */
  private byte[] observed(EnvelopeObserver.Operation operation, OneShot work, byte[] input, EncryptionContext context)
      throws GeneralSecurityException {
    EnvelopeObserver o = observer;
    if (o == null) {
      return work.run(this, input, context);
    }
    EnvelopeObserver.Message m = Observed.begin(o, operation);
    byte[] out;
    try {
      out = work.run(this, input, context);
    } catch (GeneralSecurityException | RuntimeException e) {
      Observed.failed(m, e);
      throw e;
    }
    Observed.succeeded(m);
    return out;
  }

  private byte[] encryptMessage(byte[] plaintext, EncryptionContext context) throws GeneralSecurityException {
    if (plaintext == null || context == null) {
      throw new IllegalArgumentException("plaintext and context must not be null");
    }
    Instant now = keyrings.now();
    Keyring.DataKey dk = keyring(now).dataKeyForEncryption(cachePolicy, plaintext.length, true, now);
    try {
      Primitives.ContentKey ck = dk.contentKey();
      byte[] prefix = dk.oneShotPrefix(keyringId);
      int nonceAt = prefix.length;
      int hl = nonceAt + Header.NONCE_BYTES + Header.COMMITMENT_BYTES;
      byte[] out = new byte[hl + plaintext.length + Primitives.TAG_BYTES];
      System.arraycopy(prefix, 0, out, 0, prefix.length);
      Primitives.random(out, nonceAt, Header.NONCE_BYTES);
      System.arraycopy(ck.commitment, 0, out, nonceAt + Header.NONCE_BYTES, Header.COMMITMENT_BYTES);
      Primitives.gcmEncrypt(ck.key, out, nonceAt, context.canonicalBytesShared(), plaintext, 0, plaintext.length,
          out, hl);
      return out;
    } finally {
      dk.destroyIfUnshared();
    }
  }

  /** The keyring this envelope encrypts under, created on first use. */
  private Keyring keyring(Instant now) throws GeneralSecurityException {
    Keyring k = handle;
    if (k == null) {
      k = keyrings.handle(keyringId);
      handle = k;
    }
    k.ensureCreated(now);
    return k;
  }

  /**
   * Decrypts a one-shot ciphertext (format 3, 2 or 1); fails unless {@code context} is the one it
   * was encrypted with.
   */
  public byte[] decrypt(byte[] ciphertext, EncryptionContext context) throws GeneralSecurityException {
    return observed(EnvelopeObserver.Operation.DECRYPT, (e, c, ctx) -> e.decryptMessage(c, ctx), ciphertext, context);
  }

  private byte[] decryptMessage(byte[] ciphertext, EncryptionContext context) throws GeneralSecurityException {
    if (context == null) {
      throw new IllegalArgumentException("context must not be null");
    }
    Header h = Header.parse(ciphertext);
    if (h.suite() != Header.SUITE_ONE_SHOT) {
      throw new CiphertextFormatException("this is a streaming ciphertext; use newDecryptingStream");
    }
    int hl = h.length();
    if (ciphertext.length - hl < Primitives.TAG_BYTES) {
      throw new CiphertextFormatException("ciphertext is truncated");
    }
    if (h.version() != Header.FORMAT_V3) {
      Primitives.Derived d = openLegacy(h, NO_INFO);
      try {
        return Primitives.gcmDecrypt(d.key, d.iv, context.canonicalBytesShared(), ciphertext, hl, ciphertext.length - hl);
      } finally {
        Keyring.wipe(d.key);
      }
    }
    Keyring.DataKey dk = resolve(h).unwrap(h.kekVersion(), h.wrappedDek(), cachePolicy, keyrings.now(),
        k -> Primitives.equal(k.contentKey().commitment, h.commitment()));
    try {
      return Primitives.gcmDecrypt(dk.contentKey().key, h.nonce(), 0, context.canonicalBytesShared(), ciphertext, hl,
          ciphertext.length - hl);
    } finally {
      dk.destroyIfUnshared();
    }
  }

  /** The keyring a header names; it must exist. */
  private Keyring resolve(Header h) throws GeneralSecurityException {
    Keyring k = handle;
    return k != null && k.id().equals(h.keyringId()) ? k
        : keyrings.existing(h.keyringId())
            .orElseThrow(() -> new KeyUnavailableException("unknown keyring '" + h.keyringId() + "'"));
  }

  /**
   * Formats 1 and 2 (one-shot and streaming): resolves the keyring, unwraps the DEK, derives the
   * message keys and verifies the key commitment.
   */
  private Primitives.Derived openLegacy(Header h, byte[] info) throws GeneralSecurityException {
    Primitives.Derived[] derived = new Primitives.Derived[1];
    Keyring.DataKey dk = resolve(h).unwrap(h.kekVersion(), h.wrappedDek(), cachePolicy, keyrings.now(), k -> {
      Primitives.Derived d = h.version() == Header.FORMAT_V1
          ? Primitives.deriveV1(k.dek, h.salt(), h.suite(), info)
          : k.kdf().derive(h.salt(), h.suite(), info);
      if (!Primitives.equal(d.commitment, h.commitment())) {
        Keyring.wipe(d.key);
        return false;
      }
      derived[0] = d;
      return true;
    });
    dk.destroyIfUnshared();
    return derived[0];
  }

  /** Reads the header of a ciphertext without any key. */
  public static CiphertextInfo inspect(byte[] ciphertext) throws CiphertextFormatException {
    Header h = Header.parse(ciphertext);
    return new CiphertextInfo(h.keyringId(), h.kekVersion(), h.suite() == Header.SUITE_STREAMING, h.length());
  }

  /**
   * Moves a ciphertext (one-shot or streaming) to the primary KEK of its keyring by rewriting only
   * its header: the DEK is unwrapped, checked against the key commitment and wrapped again; the
   * payload bytes are copied unchanged and never decrypted. A ciphertext already under the primary
   * is returned as an equal copy.
   */
  public byte[] rewrap(byte[] ciphertext) throws GeneralSecurityException {
    Header h = Header.parse(ciphertext);
    Header nh = rewrapHeader(h);
    int oldLen = h.length();
    byte[] out = new byte[nh.length() + ciphertext.length - oldLen];
    int off = nh.writeTo(out, 0);
    System.arraycopy(ciphertext, oldLen, out, off, ciphertext.length - oldLen);
    return out;
  }

  /**
   * Rewraps the header at the start of {@code ciphertext} (for large files): reads only the
   * header and returns the replacement header. The caller writes the new header followed by the
   * payload, which starts at {@link RewrittenHeader#oldHeaderLength()}.
   */
  public RewrittenHeader rewrapHeader(InputStream ciphertext) throws GeneralSecurityException, IOException {
    Header h = Header.read(ciphertext);
    return new RewrittenHeader(h.length(), Bytes.copyOf(rewrapHeader(h).encode()));
  }

  /**
   * A rewritten header.
   *
   * @param oldHeaderLength where the unchanged payload starts in the old ciphertext
   * @param newHeader the header to write in place of the old one
   */
  public record RewrittenHeader(int oldHeaderLength, Bytes newHeader) {}

  private Header rewrapHeader(Header h) throws GeneralSecurityException {
    Keyring keyring = keyrings.existing(h.keyringId())
        .orElseThrow(() -> new KeyUnavailableException("unknown keyring '" + h.keyringId() + "'"));
    if (h.kekVersion() == keyring.primaryVersion()) {
      return h;
    }
    Keyring.DataKey old = keyring.unwrap(h.kekVersion(), h.wrappedDek(), DataKeyCachePolicy.NONE, keyrings.now(),
        k -> Primitives.equal(commitment(h, k), h.commitment()));
    try {
      Keyring.DataKey dk = keyring.wrapUnderPrimary(old.dek);
      return h.withKek(dk.version, dk.wrapped);
    } finally {
      old.destroyIfUnshared();
    }
  }

  /** The commitment of {@code dk} as the header's format computes it. */
  private static byte[] commitment(Header h, Keyring.DataKey dk) throws GeneralSecurityException {
    switch (h.version()) {
      case Header.FORMAT_V1:
        return Primitives.commitmentV1(dk.dek, h.salt());
      case Header.FORMAT_V2:
        return dk.kdf().commitment(h.salt());
      default:
        return dk.contentKey().commitment;
    }
  }

  /**
   * An output stream that encrypts into {@code ciphertext} in segments of the configured size;
   * memory use is about two segments. Close it to write the final segment; without close the
   * ciphertext is incomplete and will not decrypt.
   */
  public OutputStream newEncryptingStream(OutputStream ciphertext, EncryptionContext context)
      throws GeneralSecurityException, IOException {
    return observedStream(EnvelopeObserver.Operation.ENCRYPT, (e, c, ctx) -> e.encryptingStream(c, ctx),
        Observed::output, ciphertext, context);
  }

  /** Opens a stream or channel of an envelope over {@code ciphertext}. */
  @FunctionalInterface
  private interface StreamOpen<C, S> {
    S open(Envelope envelope, C ciphertext, EncryptionContext context) throws GeneralSecurityException, IOException;
  }

  /** Wraps a stream or channel so that it reports to {@code op} when it closes or first fails. */
  @FunctionalInterface
  private interface StreamReport<S> {
    S observed(S stream, Observed.Op op);
  }

  /**
   * Opens a stream or channel; with an observer, reports its start now and its end when it
   * closes or first fails (a failure to open is reported at once).
   */
  private <C, S> S observedStream(EnvelopeObserver.Operation operation, StreamOpen<C, S> open, StreamReport<S> report,
      C ciphertext, EncryptionContext context) throws GeneralSecurityException, IOException {
    EnvelopeObserver o = observer;
    if (o == null) {
      return open.open(this, ciphertext, context);
    }
    Observed.Op op = Observed.start(o, operation, EnvelopeObserver.Mode.STREAM);
    try {
      return report.observed(open.open(this, ciphertext, context), op);
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      op.failed(e);
      throw e;
    }
  }

  private OutputStream encryptingStream(OutputStream ciphertext, EncryptionContext context)
      throws GeneralSecurityException, IOException {
    if (ciphertext == null || context == null) {
      throw new IllegalArgumentException("ciphertext and context must not be null");
    }
    Instant now = keyrings.now();
    // A stream's length is unknown when it starts, so it never shares a data key: the byte limit
    // of a cached key could not be enforced.
    Keyring.DataKey dk = keyring(now).dataKeyForEncryption(cachePolicy, 0, false, now);
    byte[] salt = Primitives.random(Header.SALT_BYTES);
    Primitives.Derived d;
    try {
      d = dk.kdf().derive(salt, Header.SUITE_STREAMING, streamInfo(segmentSize, context));
    } finally {
      dk.destroyIfUnshared();
    }
    Header h = new Header(Header.FORMAT_V2, Header.SUITE_STREAMING, keyringId, dk.version, dk.wrapped, salt,
        d.commitment, segmentSize);
    ciphertext.write(h.encode());
    return new StreamingEncryptingOutputStream(ciphertext, d, segmentSize);
  }

  /**
   * An input stream of the plaintext of a streaming ciphertext. Each segment is released only
   * after it authenticated; a modified, truncated or extended ciphertext fails with an
   * {@link IOException} whose cause is a {@link GeneralSecurityException}.
   */
  public InputStream newDecryptingStream(InputStream ciphertext, EncryptionContext context)
      throws GeneralSecurityException, IOException {
    return observedStream(EnvelopeObserver.Operation.DECRYPT, (e, c, ctx) -> e.decryptingStream(c, ctx),
        Observed::input, ciphertext, context);
  }

  private InputStream decryptingStream(InputStream ciphertext, EncryptionContext context)
      throws GeneralSecurityException, IOException {
    if (ciphertext == null || context == null) {
      throw new IllegalArgumentException("ciphertext and context must not be null");
    }
    Header h = Header.read(ciphertext);
    Primitives.Derived d = streamKey(h, context);
    return new StreamingDecryptingInputStream(ciphertext, d, h.segmentSize());
  }

  /**
   * A read-only channel over the plaintext of a streaming ciphertext with random access: reading
   * at any position decrypts and authenticates only the segment it falls in.
   */
  public SeekableByteChannel newSeekableDecryptingChannel(SeekableByteChannel ciphertext, EncryptionContext context)
      throws GeneralSecurityException, IOException {
    return observedStream(EnvelopeObserver.Operation.DECRYPT, (e, c, ctx) -> e.decryptingChannel(c, ctx),
        Observed::channel, ciphertext, context);
  }

  private SeekableByteChannel decryptingChannel(SeekableByteChannel ciphertext, EncryptionContext context)
      throws GeneralSecurityException, IOException {
    if (ciphertext == null || context == null) {
      throw new IllegalArgumentException("ciphertext and context must not be null");
    }
    ciphertext.position(0);
    Header h = Header.read(Channels.newInputStream(ciphertext));
    Primitives.Derived d = streamKey(h, context);
    return new SeekableDecryptingChannel(ciphertext, d, h.segmentSize(), h.length());
  }

  private Primitives.Derived streamKey(Header h, EncryptionContext context) throws GeneralSecurityException {
    if (h.suite() != Header.SUITE_STREAMING) {
      throw new CiphertextFormatException("this is a one-shot ciphertext; use decrypt");
    }
    return openLegacy(h, streamInfo(h.segmentSize(), context));
  }

  private static byte[] streamInfo(int segmentSize, EncryptionContext context) {
    byte[] digest = Primitives.sha256(context.canonicalBytesShared());
    byte[] info = new byte[4 + digest.length];
    info[0] = (byte) (segmentSize >>> 24);
    info[1] = (byte) (segmentSize >>> 16);
    info[2] = (byte) (segmentSize >>> 8);
    info[3] = (byte) segmentSize;
    System.arraycopy(digest, 0, info, 4, digest.length);
    return info;
  }

  @Override
  public String toString() {
    return "Envelope[keyring=" + keyringId + ", cache=" + cachePolicy + ", segmentSize=" + segmentSize
        + (observer != null ? ", observed" : "") + "]";
  }

  /** Configures an {@link Envelope}. */
  public static final class Builder {
    private final Keyrings keyrings;
    private String keyringId = "default";
    private DataKeyCachePolicy cachePolicy = DataKeyCachePolicy.DEFAULT;
    private int segmentSize = 64 * 1024;
    private EnvelopeObserver observer;

    private Builder(Keyrings keyrings) {
      if (keyrings == null) {
        throw new IllegalArgumentException("keyrings is required");
      }
      this.keyrings = keyrings;
    }

    /** The keyring new data is encrypted under (default {@code "default"}). */
    public Builder keyringId(String id) {
      dev.bulwark.crypto.spi.KeyringRecord.validateId(id);
      this.keyringId = id;
      return this;
    }

    /**
     * Data-key reuse limits (default {@link DataKeyCachePolicy#DEFAULT}: 65,536 messages, 4 GiB or
     * 5 minutes per DEK, each message under its own random nonce); {@link DataKeyCachePolicy#NONE}
     * for a fresh DEK and a KEK call per message.
     */
    public Builder dataKeyCache(DataKeyCachePolicy policy) {
      if (policy == null) {
        throw new IllegalArgumentException("policy must not be null");
      }
      this.cachePolicy = policy;
      return this;
    }

    /** Streaming segment size in bytes, 64..8 MiB (default 64 KiB). */
    public Builder segmentSize(int bytes) {
      if (bytes < Header.MIN_SEGMENT || bytes > Header.MAX_SEGMENT) {
        throw new IllegalArgumentException("segment size must be in 64..8 MiB");
      }
      this.segmentSize = bytes;
      return this;
    }

    /**
     * Reports every message and stream to {@code observer} (see {@link EnvelopeObserver}; default
     * none, and then no observer code runs). {@link Envelope#forKeyring} keeps it.
     */
    public Builder observer(EnvelopeObserver observer) {
      if (observer == null) {
        throw new IllegalArgumentException("observer must not be null");
      }
      this.observer = observer;
      return this;
    }

    /** Builds. */
    public Envelope build() {
      return new Envelope(keyrings, keyringId, cachePolicy, segmentSize, observer);
    }
  }
}
