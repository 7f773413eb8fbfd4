package dev.bulwark.testkit.sso;

import dev.bulwark.sso.saml.IdpMetadata;
import dev.bulwark.sso.saml.SamlServiceProvider;
import java.net.URI;
import java.time.Clock;

/** The attack corpus against a service provider with every setting at its default. */
class DefaultSamlServiceProviderAttackTest extends SamlResponseAttackContract {

  static final URI ACS = URI.create("https://app.example/saml/acs");

  @Override
  protected String entityId() {
    return "https://app.example/saml";
  }

  @Override
  protected URI assertionConsumerService() {
    return ACS;
  }

  @Override
  protected SamlServiceProvider serviceProvider(IdpMetadata idp, Clock clock) {
    return SamlServiceProvider.builder(entityId(), ACS, idp).clock(clock).build();
  }
}
