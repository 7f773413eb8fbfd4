package dev.bulwark.spring.autoconfigure;

import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.webauthn.InMemoryChallengeStore;
import dev.bulwark.authn.webauthn.InMemoryCredentialStore;
import dev.bulwark.authn.webauthn.WebAuthn;
import dev.bulwark.authn.webauthn.WebAuthnPolicy;
import dev.bulwark.authn.webauthn.jdbc.JdbcChallengeStore;
import dev.bulwark.authn.webauthn.jdbc.JdbcCredentialStore;
import dev.bulwark.authn.webauthn.spi.ChallengeStore;
import dev.bulwark.authn.webauthn.spi.CredentialStore;
import dev.bulwark.spring.autoconfigure.internal.Secrets;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * authn's {@link WebAuthn} service from {@code bulwark.authn.webauthn.*}, once {@code rp-id} is
 * set: the relying party (rp-id, rp-name, origins, validated at start-up with the property named
 * in the error), credentials and ceremony challenges in the application's DataSource when there
 * is one (in memory otherwise, as {@code bulwark.authn.store} decides), events to every
 * {@link SecurityEventListener} bean. Each bean backs off to the application's own.
 */
@AutoConfiguration(after = BulwarkAuthnAutoConfiguration.class, afterName = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"})
@ConditionalOnClass(WebAuthn.class)
@ConditionalOnProperty(prefix = "bulwark.authn.webauthn", name = "rp-id")
@EnableConfigurationProperties(BulwarkAuthnProperties.class)
public class BulwarkWebAuthnAutoConfiguration {

  static final String RP_ID = "bulwark.authn.webauthn.rp-id";
  static final String RP_NAME = "bulwark.authn.webauthn.rp-name";
  static final String ORIGINS = "bulwark.authn.webauthn.origins";

  private static boolean jdbc(BulwarkAuthnProperties props, DataSource ds) {
    StoreKind kind = props.store();
    if (kind == StoreKind.JDBC && ds == null) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, "bulwark.authn.store",
          "auto or memory: 'jdbc' needs a single DataSource bean and there is none");
    }
    return kind == StoreKind.JDBC || (kind == StoreKind.AUTO && ds != null);
  }

  @Bean
  @ConditionalOnMissingBean
  WebAuthnPolicy bulwarkWebAuthnPolicy(BulwarkAuthnProperties props) {
    return policy(props.webauthn());
  }

  /** The relying party the properties describe, or a start-up failure naming the wrong property. */
  static WebAuthnPolicy policy(BulwarkAuthnProperties.WebAuthnSettings w) {
    String rpId = w.rpId() == null ? "" : w.rpId().strip();
    if (!rpId.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")
        || rpId.length() > 253) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, RP_ID,
          "a domain name in lower case without scheme, port or path, such as example.com (or localhost)");
    }
    String rpName = w.rpName() == null || w.rpName().isBlank() ? rpId : w.rpName().strip();
    if (rpName.length() > 64 || rpName.codePoints().anyMatch(Character::isISOControl)) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, RP_NAME,
          "a name of at most 64 characters without control characters");
    }
    if (w.origins().isEmpty()) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, ORIGINS,
          "at least one origin pages are served from, such as https://" + rpId);
    }
    Set<String> origins = new LinkedHashSet<>();
    for (String o : w.origins()) {
      String origin = o == null ? "" : o.strip();
      try {
        WebAuthnPolicy.of(rpId, rpName, origin);
      } catch (IllegalArgumentException e) {
        throw Secrets.invalid(ORIGINS, "origins such as https://" + rpId + " (scheme://host[:port] in lower case, "
            + "https, or http on localhost only)", e);
      }
      String host = URI.create(origin).getHost().toLowerCase(Locale.ROOT);
      if (!host.equals(rpId) && !host.endsWith("." + rpId)) {
        throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, ORIGINS,
            "origins on " + rpId + " or its subdomains (the rp-id must be the origin's host or a parent of it): "
                + origin);
      }
      origins.add(origin);
    }
    WebAuthnPolicy defaults = WebAuthnPolicy.of(rpId, rpName, origins.iterator().next());
    return new WebAuthnPolicy(rpId, rpName, origins, defaults.userVerification(), defaults.residentKey(),
        defaults.attestation(), defaults.allowUntrustedAttestation(), defaults.challengeTimeout(),
        defaults.counterPolicy());
  }

  @Bean
  @ConditionalOnMissingBean
  CredentialStore bulwarkWebAuthnCredentialStore(BulwarkAuthnProperties props, ObjectProvider<DataSource> dataSource) {
    DataSource ds = dataSource.getIfUnique();
    return jdbc(props, ds) ? new JdbcCredentialStore(ds) : new InMemoryCredentialStore();
  }

  @Bean
  @ConditionalOnMissingBean
  ChallengeStore bulwarkWebAuthnChallengeStore(BulwarkAuthnProperties props, ObjectProvider<DataSource> dataSource,
      ObjectProvider<Clock> clock) {
    DataSource ds = dataSource.getIfUnique();
    return jdbc(props, ds) ? new JdbcChallengeStore(ds)
        : new InMemoryChallengeStore(clock.getIfUnique(Clock::systemUTC));
  }

  @Bean
  @ConditionalOnMissingBean
  WebAuthn bulwarkWebAuthn(WebAuthnPolicy policy, CredentialStore credentials, ChallengeStore challenges,
      ObjectProvider<SecurityEventListener> listeners, ObjectProvider<Clock> clock) {
    return WebAuthn.builder(policy, credentials).challenges(challenges).clock(clock.getIfUnique(Clock::systemUTC))
        .listener(BulwarkAuthnAutoConfiguration.listener(listeners)).build();
  }
}
