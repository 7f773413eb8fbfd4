package dev.bulwark.crypto.internal;

import com.google.crypto.tink.Aead;
import dev.bulwark.common.internal.DurableFiles;
import dev.bulwark.crypto.CryptoStoreException;
import dev.bulwark.crypto.KeyringIntegrityException;
import dev.bulwark.crypto.spi.KeyringRecord;
import dev.bulwark.crypto.spi.KeyringStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Keyrings in one file, encrypted and authenticated under a master {@link Aead}. Every write goes
 * to a temporary file in the same directory, is fsynced, atomically renamed over the file, and the
 * directory is fsynced: a crash leaves either the old or the new file, never a torn one. A
 * corrupt or foreign file fails with {@link KeyringIntegrityException} and is never overwritten.
 *
 * <p>Safe for several processes (and several instances in one process) sharing the file: a
 * compare-and-set takes an exclusive OS lock on a sibling {@code <file>.lock}, re-reads the file
 * under the lock, checks the revision and only then writes; readers need no lock because the file
 * is only ever replaced by an atomic rename. A load re-reads the file whenever it was replaced
 * since the last read (its file key, size or modification time changed). Thread-safe.
 */
public final class FileKeyringStore implements KeyringStore {
  private static final byte[] MAGIC = "BWKR1".getBytes(StandardCharsets.US_ASCII);
  /** Far above any keyring file this store writes (thousands of key versions fit in a few MiB). */
  static final int MAX_FILE_BYTES = 64 * 1024 * 1024;
  private static final byte[] AAD = "bulwark keyring file v1".getBytes(StandardCharsets.US_ASCII);
  /**
   * One monitor per lock file in this JVM: the OS lock is held per process, and a second channel
   * of the same process asking for it would fail instead of waiting.
   */
  private static final ConcurrentHashMap<Path, Object> JVM_LOCKS = new ConcurrentHashMap<>();

  private final Path file;
  private final Path lockFile;
  private final Aead master;
  private Map<String, KeyringRecord> records;
  private Stamp stamp;

  /** What identifies one version of the file: replaced files differ in at least one field. */
  private record Stamp(Object fileKey, FileTime modified, long size) {}

  public FileKeyringStore(Path file, Aead master) throws KeyringIntegrityException {
    this.file = file.toAbsolutePath();
    this.lockFile = this.file.resolveSibling(this.file.getFileName() + ".lock");
    this.master = master;
    refresh(true);
  }

  private static Stamp stampOf(Path p) throws IOException {
    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
    return new Stamp(a.fileKey(), a.lastModifiedTime(), a.size());
  }

  /** Re-reads the file if it was replaced since the last read ({@code force}: always). */
  private void refresh(boolean force) throws KeyringIntegrityException {
    Stamp now;
    try {
      now = stampOf(file);
    } catch (NoSuchFileException e) {
      if (stamp != null) {
        throw new CryptoStoreException("keyring file " + file + " has disappeared");
      }
      records = new TreeMap<>();
      return;
    } catch (IOException e) {
      throw new CryptoStoreException("cannot read keyring file " + file, e);
    }
    // Without a file key (some platforms) a replacement within one timestamp tick could look the
    // same, so the file is then read every time.
    if (!force && now.equals(stamp) && now.fileKey() != null) {
      return;
    }
    records = read();
    stamp = now;
  }

  private Map<String, KeyringRecord> read() throws KeyringIntegrityException {
    TreeMap<String, KeyringRecord> map = new TreeMap<>();
    byte[] data;
    try {
      data = DurableFiles.readSmall(file, MAX_FILE_BYTES);
    } catch (NoSuchFileException e) {
      throw new CryptoStoreException("keyring file " + file + " has disappeared");
    } catch (DurableFiles.FileTooLargeException e) {
      // Not a keyring this store wrote: damaged, replaced or crafted, like a foreign header.
      throw new KeyringIntegrityException("keyring file " + file + " is not a Bulwark keyring file: " + e.getMessage());
    } catch (IOException e) {
      throw new CryptoStoreException("cannot read keyring file " + file, e);
    }
    if (data.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(data, MAGIC.length), MAGIC)) {
      throw new KeyringIntegrityException("keyring file " + file + " is not a Bulwark keyring file");
    }
    byte[] plain;
    try {
      plain = master.decrypt(Arrays.copyOfRange(data, MAGIC.length, data.length), AAD);
    } catch (GeneralSecurityException e) {
      throw new KeyringIntegrityException("keyring file " + file
          + " does not authenticate under the master key (corrupt, truncated or another master key)");
    }
    for (KeyringRecord r : KeyringCodec.decode(plain)) {
      map.put(r.keyringId(), r);
    }
    return map;
  }

  @Override
  public synchronized Optional<KeyringRecord> load(String keyringId) throws KeyringIntegrityException {
    refresh(false);
    return Optional.ofNullable(records.get(keyringId));
  }

  @Override
  public synchronized boolean compareAndSet(long expectedRevision, KeyringRecord next) throws KeyringIntegrityException {
    if (next.revision() != expectedRevision + 1) {
      throw new IllegalArgumentException("next.revision must be expectedRevision + 1");
    }
    Path lockKey;
    try {
      Files.createDirectories(file.getParent());
      try {
        Files.createFile(lockFile);
      } catch (FileAlreadyExistsException e) {
        // the usual case
      }
      lockKey = lockFile.toRealPath();
    } catch (IOException e) {
      throw new CryptoStoreException("cannot create the lock file of keyring file " + file, e);
    }
    Object jvmLock = JVM_LOCKS.computeIfAbsent(lockKey, p -> new Object());
    synchronized (jvmLock) {
      try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        FileLock lock = lock(lockChannel);
        try {
          refresh(true);
          KeyringRecord current = records.get(next.keyringId());
          long rev = current == null ? 0 : current.revision();
          if (rev != expectedRevision || (current != null && current.shreddedAt().isPresent())) {
            return false;
          }
          TreeMap<String, KeyringRecord> updated = new TreeMap<>(records);
          updated.put(next.keyringId(), next);
          write(updated);
          records = updated;
          stamp = stampOf(file);
          return true;
        } finally {
          lock.release();
        }
      } catch (IOException e) {
        throw new CryptoStoreException("cannot lock or write keyring file " + file + "; it is unchanged", e);
      }
    }
  }

  /**
   * The OS lock. A second channel of this JVM on the same file (reached through another path, such
   * as a hard link) is refused with {@link OverlappingFileLockException} instead of waiting, so
   * that case is retried for up to 10 s.
   */
  private FileLock lock(FileChannel channel) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        return channel.lock();
      } catch (OverlappingFileLockException e) {
        if (System.nanoTime() > deadline) {
          throw new CryptoStoreException("keyring file " + file + " stays locked by this process under another path");
        }
        try {
          Thread.sleep(1);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new CryptoStoreException("interrupted waiting for the lock of keyring file " + file);
        }
      }
    }
  }

  @Override
  public synchronized List<String> keyringIds() throws KeyringIntegrityException {
    refresh(false);
    return new ArrayList<>(records.keySet());
  }

  private void write(Map<String, KeyringRecord> map) {
    byte[] ct;
    try {
      ct = master.encrypt(KeyringCodec.encode(map.values()), AAD);
    } catch (GeneralSecurityException e) {
      throw new CryptoStoreException("cannot encrypt the keyring file under the master key; it is unchanged", e);
    }
    if ((long) MAGIC.length + ct.length > MAX_FILE_BYTES) {
      throw new CryptoStoreException("the keyring file would exceed " + MAX_FILE_BYTES + " bytes; it is unchanged");
    }
    byte[] content = new byte[MAGIC.length + ct.length];
    System.arraycopy(MAGIC, 0, content, 0, MAGIC.length);
    System.arraycopy(ct, 0, content, MAGIC.length, ct.length);
    try {
      DurableFiles.write(file, content);
    } catch (AtomicMoveNotSupportedException e) {
      throw new CryptoStoreException("the file system cannot rename atomically; keyring file unchanged", e);
    } catch (IOException e) {
      // Either nothing was renamed (the file is unchanged) or only forcing the directory failed.
      throw new CryptoStoreException("cannot write keyring file " + file, e);
    }
  }

  @Override
  public String toString() {
    return "FileKeyringStore[" + file + "]";
  }
}
