package dev.bulwark.authn.webauthn.internal;

import com.yubico.webauthn.CredentialRepository;
import com.yubico.webauthn.RegisteredCredential;
import com.yubico.webauthn.data.ByteArray;
import com.yubico.webauthn.data.PublicKeyCredentialDescriptor;
import dev.bulwark.authn.webauthn.StoredCredential;
import dev.bulwark.authn.webauthn.spi.CredentialStore;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Presents a {@link CredentialStore} as Yubico's {@link CredentialRepository}. */
public final class RepositoryAdapter implements CredentialRepository {

  private final CredentialStore store;

  public RepositoryAdapter(CredentialStore store) {
    this.store = store;
  }

  @Override
  public Set<PublicKeyCredentialDescriptor> getCredentialIdsForUsername(String username) {
    return store.forUsername(username).stream()
        .map(c -> PublicKeyCredentialDescriptor.builder().id(c.credentialId()).build())
        .collect(Collectors.toSet());
  }

  @Override
  public Optional<ByteArray> getUserHandleForUsername(String username) {
    return store.userHandleFor(username);
  }

  @Override
  public Optional<String> getUsernameForUserHandle(ByteArray userHandle) {
    return store.usernameFor(userHandle);
  }

  @Override
  public Optional<RegisteredCredential> lookup(ByteArray credentialId, ByteArray userHandle) {
    return store.find(credentialId, userHandle).map(RepositoryAdapter::registered);
  }

  @Override
  public Set<RegisteredCredential> lookupAll(ByteArray credentialId) {
    return store.findAll(credentialId).stream().map(RepositoryAdapter::registered).collect(Collectors.toSet());
  }

  static RegisteredCredential registered(StoredCredential c) {
    return RegisteredCredential.builder()
        .credentialId(c.credentialId())
        .userHandle(c.userHandle())
        .publicKeyCose(c.publicKeyCose())
        .signatureCount(c.signatureCount())
        .build();
  }
}
