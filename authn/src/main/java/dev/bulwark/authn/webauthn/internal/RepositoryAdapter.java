package dev.bulwark.authn.webauthn.internal;

import com.yubico.webauthn.CredentialRepository;
import com.yubico.webauthn.RegisteredCredential;
import com.yubico.webauthn.data.ByteArray;
import com.yubico.webauthn.data.PublicKeyCredentialDescriptor;
import dev.bulwark.authn.webauthn.StoredCredential;
import dev.bulwark.common.Bytes;
import dev.bulwark.authn.webauthn.spi.CredentialStore;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Presents a {@link CredentialStore} (Bulwark's {@link Bytes}) as Yubico's
 * {@link CredentialRepository} ({@link ByteArray}); the only place the two byte strings meet.
 */
public final class RepositoryAdapter implements CredentialRepository {

  private final CredentialStore store;

  public RepositoryAdapter(CredentialStore store) {
    this.store = store;
  }

  @Override
  public Set<PublicKeyCredentialDescriptor> getCredentialIdsForUsername(String username) {
    return store.forUsername(username).stream()
        .map(c -> PublicKeyCredentialDescriptor.builder().id(yubico(c.credentialId())).build())
        .collect(Collectors.toSet());
  }

  @Override
  public Optional<ByteArray> getUserHandleForUsername(String username) {
    return store.userHandleFor(username).map(RepositoryAdapter::yubico);
  }

  @Override
  public Optional<String> getUsernameForUserHandle(ByteArray userHandle) {
    return store.usernameFor(bulwark(userHandle));
  }

  @Override
  public Optional<RegisteredCredential> lookup(ByteArray credentialId, ByteArray userHandle) {
    return store.find(bulwark(credentialId), bulwark(userHandle)).map(RepositoryAdapter::registered);
  }

  @Override
  public Set<RegisteredCredential> lookupAll(ByteArray credentialId) {
    return store.findAll(bulwark(credentialId)).stream().map(RepositoryAdapter::registered).collect(Collectors.toSet());
  }

  static RegisteredCredential registered(StoredCredential c) {
    return RegisteredCredential.builder()
        .credentialId(yubico(c.credentialId()))
        .userHandle(yubico(c.userHandle()))
        .publicKeyCose(yubico(c.publicKeyCose()))
        .signatureCount(c.signatureCount())
        .build();
  }

  /** Yubico's byte string of {@code b}. */
  public static ByteArray yubico(Bytes b) {
    return new ByteArray(b.toByteArray());
  }

  /** Bulwark's byte string of {@code b}. */
  public static Bytes bulwark(ByteArray b) {
    return Bytes.of(b.getBytes());
  }
}
