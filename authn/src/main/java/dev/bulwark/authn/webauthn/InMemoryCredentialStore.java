package dev.bulwark.authn.webauthn;

import dev.bulwark.common.Bytes;
import dev.bulwark.authn.webauthn.spi.CredentialStore;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/** The in-process {@link CredentialStore}: credentials by id in a concurrent map. Thread-safe. */
public final class InMemoryCredentialStore implements CredentialStore {

  private final ConcurrentHashMap<Bytes, StoredCredential> byId = new ConcurrentHashMap<>();

  @Override
  public Set<StoredCredential> forUsername(String username) {
    Objects.requireNonNull(username, "username");
    return byId.values().stream().filter(c -> c.username().equals(username)).collect(Collectors.toUnmodifiableSet());
  }

  @Override
  public Optional<Bytes> userHandleFor(String username) {
    Objects.requireNonNull(username, "username");
    return byId.values().stream().filter(c -> c.username().equals(username)).map(StoredCredential::userHandle).findFirst();
  }

  @Override
  public Optional<String> usernameFor(Bytes userHandle) {
    Objects.requireNonNull(userHandle, "userHandle");
    return byId.values().stream().filter(c -> c.userHandle().equals(userHandle)).map(StoredCredential::username).findFirst();
  }

  @Override
  public Optional<StoredCredential> find(Bytes credentialId, Bytes userHandle) {
    Objects.requireNonNull(userHandle, "userHandle");
    return Optional.ofNullable(byId.get(Objects.requireNonNull(credentialId, "credentialId")))
        .filter(c -> c.userHandle().equals(userHandle));
  }

  @Override
  public Set<StoredCredential> findAll(Bytes credentialId) {
    StoredCredential c = byId.get(Objects.requireNonNull(credentialId, "credentialId"));
    return c == null ? Set.of() : Set.of(c);
  }

  @Override
  public void save(StoredCredential credential) {
    Objects.requireNonNull(credential, "credential");
    synchronized (byId) {
      Optional<Bytes> existingHandle = userHandleFor(credential.username());
      if (existingHandle.isPresent() && !existingHandle.get().equals(credential.userHandle())) {
        throw new IllegalArgumentException("username already has another user handle");
      }
      Optional<String> existingUser = usernameFor(credential.userHandle());
      if (existingUser.isPresent() && !existingUser.get().equals(credential.username())) {
        throw new IllegalArgumentException("user handle belongs to another username");
      }
      if (byId.putIfAbsent(credential.credentialId(), credential) != null) {
        throw new IllegalArgumentException("credential id already registered");
      }
    }
  }

  @Override
  public boolean updateUsage(Bytes credentialId, long signatureCount, boolean backedUp, Instant usedAt) {
    Objects.requireNonNull(usedAt, "usedAt");
    return byId.computeIfPresent(Objects.requireNonNull(credentialId, "credentialId"),
        (id, c) -> c.usedAt(signatureCount, backedUp, usedAt)) != null;
  }

  @Override
  public boolean delete(Bytes credentialId) {
    return byId.remove(Objects.requireNonNull(credentialId, "credentialId")) != null;
  }
}
