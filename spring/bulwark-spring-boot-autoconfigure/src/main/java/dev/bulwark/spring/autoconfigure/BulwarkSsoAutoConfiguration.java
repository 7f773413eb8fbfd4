package dev.bulwark.spring.autoconfigure;

import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.spring.autoconfigure.internal.Secrets;
import dev.bulwark.spring.sso.SsoAccountMapper;
import dev.bulwark.spring.sso.SsoEndpoints;
import dev.bulwark.spring.sso.SsoRegistration;
import dev.bulwark.spring.sso.SsoRegistrations;
import dev.bulwark.spring.sso.internal.CachingSupplier;
import dev.bulwark.spring.sso.internal.KeyMaterial;
import dev.bulwark.sso.AssuranceMapping;
import dev.bulwark.sso.SsoAssuranceLevel;
import dev.bulwark.sso.SsoEventListener;
import dev.bulwark.sso.jdbc.JdbcReplayCache;
import dev.bulwark.sso.oidc.OidcRelyingParty;
import dev.bulwark.sso.oidc.ProviderMetadata;
import dev.bulwark.sso.saml.IdpMetadata;
import dev.bulwark.sso.saml.InvalidMetadataException;
import dev.bulwark.sso.saml.SamlServiceProvider;
import dev.bulwark.sso.spi.ReplayCache;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * "Sign in with SSO" ({@code bulwark.sso.*}): configured when bulwark-sso, bulwark-authn and Spring
 * Security's web support are on the class path and at least one {@code bulwark.sso.saml.<id>.*} or
 * {@code bulwark.sso.oidc.<id>.*} property is set. Defines {@link SsoRegistrations} (the identity
 * providers), {@link SsoEndpoints} (served by {@code BulwarkSsoConfigurer} in every Spring Security
 * filter chain) and, unless the application has one, an {@link SsoAccountMapper} that refuses
 * every sign-in. Security events go to every authn {@link SecurityEventListener} bean (the audit
 * log's among them); bulwark-sso's own protocol events go to every {@link SsoEventListener} bean.
 */
@AutoConfiguration(after = {BulwarkAuthnAutoConfiguration.class, BulwarkAuditAutoConfiguration.class},
    afterName = {"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"})
@ConditionalOnClass(name = {"dev.bulwark.sso.saml.SamlServiceProvider", "dev.bulwark.authn.session.Sessions",
    "org.springframework.security.web.SecurityFilterChain", "jakarta.servlet.Filter"})
@Conditional(BulwarkSsoAutoConfiguration.OnSsoRegistrations.class)
@EnableConfigurationProperties(BulwarkSsoProperties.class)
public class BulwarkSsoAutoConfiguration {

  static final String PREFIX = "bulwark.sso";
  private static final System.Logger LOG = System.getLogger("dev.bulwark.spring.sso");
  private static final Duration RETRY = Duration.ofSeconds(30);

  /** Matches when a {@code bulwark.sso.saml.*} or {@code bulwark.sso.oidc.*} property is set. */
  static final class OnSsoRegistrations extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
      for (ConfigurationPropertySource source : ConfigurationPropertySources.get(context.getEnvironment())) {
        for (String kind : new String[] {"saml", "oidc"}) {
          if (source.containsDescendantOf(ConfigurationPropertyName.of(PREFIX + "." + kind))
              == ConfigurationPropertyState.PRESENT) {
            return ConditionOutcome.match("bulwark.sso." + kind + " is configured");
          }
        }
      }
      return ConditionOutcome.noMatch("no bulwark.sso.saml or bulwark.sso.oidc registration");
    }
  }

  @Bean
  @ConditionalOnMissingBean
  SsoAccountMapper bulwarkSsoAccountMapper() {
    LOG.log(System.Logger.Level.WARNING, "single sign-on is configured but the application defines no "
        + "SsoAccountMapper bean: every SSO sign-in is refused until it does");
    return SsoAccountMapper.REFUSE_ALL;
  }

  @Bean
  @ConditionalOnMissingBean
  SsoRegistrations bulwarkSsoRegistrations(BulwarkSsoProperties props, ResourceLoader resources,
      ObjectProvider<SsoEventListener> listeners, ObjectProvider<ReplayCache> replayCache,
      ObjectProvider<DataSource> dataSource, ObjectProvider<Clock> clock) {
    if (props.baseUrl() == null) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, PREFIX + ".base-url",
          "the application's external URL, e.g. https://app.example.com (identity providers send the browser "
              + "back under it)");
    }
    Clock c = clock.getIfUnique(Clock::systemUTC);
    List<SsoEventListener> all = listeners.orderedStream().toList();
    SsoEventListener listener = all.isEmpty() ? SsoEventListener.NONE : e -> all.forEach(l -> l.onEvent(e));
    ReplayCache cache = replayCache(props, replayCache, dataSource, c);
    SsoRegistrations urls;
    try {
      urls = new SsoRegistrations(props.baseUrl(), List.of());
    } catch (IllegalArgumentException e) {
      throw Secrets.invalid(PREFIX + ".base-url", "an absolute http(s) URL without query or fragment", e);
    }
    List<SsoRegistration> regs = new ArrayList<>();
    Optional.ofNullable(props.saml()).orElse(Map.of())
        .forEach((id, s) -> regs.add(saml(id(id, "saml"), s, urls, resources, listener, cache, c)));
    Optional.ofNullable(props.oidc()).orElse(Map.of())
        .forEach((id, o) -> regs.add(oidc(id(id, "oidc"), o, urls, listener, c)));
    try {
      return new SsoRegistrations(props.baseUrl(), regs);
    } catch (IllegalArgumentException e) {
      throw Secrets.invalid(PREFIX, "registration ids that differ between saml and oidc", e);
    }
  }

  @Bean
  @ConditionalOnMissingBean
  SsoEndpoints bulwarkSsoEndpoints(BulwarkSsoProperties props, Environment env, SsoRegistrations registrations,
      SsoAccountMapper mapper, ObjectProvider<Sessions> sessions, ObjectProvider<SecurityEventListener> listeners,
      ObjectProvider<Clock> clock) {
    Sessions s = sessions.getIfUnique();
    if (s == null) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, PREFIX,
          "a single authn Sessions bean for the sessions SSO sign-ins create (bulwark-authn's auto-configuration "
              + "defines one)");
    }
    byte[] key = Secrets.base64(env, PREFIX + ".cookie-key", props.cookieKey(), 32, 32)
        .orElseGet(() -> Secrets.random(32));
    SsoEndpoints.Settings settings;
    try {
      settings = new SsoEndpoints.Settings(props.stateTtl(), props.successUrl(), props.logoutSuccessUrl(),
          Optional.ofNullable(props.failureUrl()));
    } catch (IllegalArgumentException e) {
      throw Secrets.invalid(PREFIX, "local paths (/...) for success-url, logout-success-url and failure-url, and a "
          + "state-ttl of at most 1h", e);
    }
    try {
      return new SsoEndpoints(registrations, mapper, s, BulwarkAuthnAutoConfiguration.listener(listeners), key, settings,
          clock.getIfUnique(Clock::systemUTC));
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private static String id(String id, String kind) {
    try {
      return SsoRegistration.checkId(id);
    } catch (IllegalArgumentException e) {
      throw Secrets.invalid(PREFIX + "." + kind + "." + id, "a registration id of 1-32 characters of [a-z0-9-]", e);
    }
  }

  private static ReplayCache replayCache(BulwarkSsoProperties props, ObjectProvider<ReplayCache> bean,
      ObjectProvider<DataSource> dataSource, Clock clock) {
    ReplayCache own = bean.getIfUnique();
    if (own != null) {
      return own;
    }
    DataSource ds = dataSource.getIfUnique();
    StoreKind kind = props.store();
    if (kind == StoreKind.FILE || kind == StoreKind.JDBC && ds == null) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, PREFIX + ".store",
          "auto, memory or jdbc ('jdbc' needs a single DataSource bean; there is no file store)");
    }
    if (kind == StoreKind.JDBC || kind == StoreKind.AUTO && ds != null) {
      return JdbcReplayCache.builder(ds).clock(clock).build();
    }
    return ReplayCache.inMemory(clock, 1_000_000);
  }

  private static AssuranceMapping assurance(Map<String, SsoAssuranceLevel> configured) {
    if (configured == null || configured.isEmpty()) {
      return AssuranceMapping.DEFAULT;
    }
    Map<String, SsoAssuranceLevel> copy = Map.copyOf(configured);
    return (context, methods) -> {
      SsoAssuranceLevel exact = copy.get(context);
      return exact != null ? exact : AssuranceMapping.DEFAULT.levelFor(context, methods);
    };
  }

  private static SsoRegistration saml(String id, BulwarkSsoProperties.Saml s, SsoRegistrations urls,
      ResourceLoader resources, SsoEventListener listener, ReplayCache cache, Clock clock) {
    String p = PREFIX + ".saml." + id;
    if (s.idpMetadata() == null || s.idpMetadata().isBlank()) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, p + ".idp-metadata",
          "the identity provider's metadata (file:, classpath: or https: location, or the XML)");
    }
    Optional<PrivateKey> signingKey = Optional.ofNullable(s.signingKey())
        .map(v -> key(text(resources, v, p + ".signing-key"), p + ".signing-key"));
    Optional<X509Certificate> signingCert = Optional.ofNullable(s.signingCertificate())
        .map(v -> cert(text(resources, v, p + ".signing-certificate"), p + ".signing-certificate"));
    if (signingKey.isPresent() != signingCert.isPresent()) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE,
          p + (signingKey.isPresent() ? ".signing-certificate" : ".signing-key"),
          "signing-key and signing-certificate together (the certificate goes into this service provider's metadata)");
    }
    Optional<PrivateKey> decryptionKey = Optional.ofNullable(s.decryptionKey())
        .map(v -> key(text(resources, v, p + ".decryption-key"), p + ".decryption-key"));
    Optional<X509Certificate> decryptionCert = Optional.ofNullable(s.decryptionCertificate())
        .map(v -> cert(text(resources, v, p + ".decryption-certificate"), p + ".decryption-certificate"));
    String entityId = s.entityId() != null ? s.entityId() : urls.metadataUrl(id).toString();
    AssuranceMapping mapping = assurance(s.assurance());
    String location = s.idpMetadata().strip();
    boolean remote = location.startsWith("https:") || location.startsWith("http:");
    java.util.concurrent.Callable<SamlServiceProvider> build = () -> {
      IdpMetadata idp = IdpMetadata.parse(remote ? fetch(URI.create(location))
          : text(resources, location, p + ".idp-metadata").getBytes(StandardCharsets.UTF_8));
      SamlServiceProvider.Builder b = SamlServiceProvider.builder(entityId, urls.assertionConsumerService(id), idp)
          .singleLogoutService(urls.singleLogoutService(id))
          .clockSkew(s.clockSkew())
          .clock(clock)
          .replayCache(cache)
          .assuranceMapping(mapping)
          .listener(listener);
      signingKey.ifPresent(k -> b.signingKey(k, signingCert.get()));
      if (decryptionKey.isPresent()) {
        if (decryptionCert.isPresent()) {
          b.decryptionKey(decryptionKey.get(), decryptionCert.get());
        } else {
          b.decryptionKey(decryptionKey.get());
        }
      }
      if (s.signRequests()) {
        b.signRequests();
      }
      if (s.allowSignedResponseOnly()) {
        b.allowSignedResponseOnly();
      }
      return b.build();
    };
    Supplier<SamlServiceProvider> sp = new CachingSupplier<>(build, clock, RETRY);
    if (!remote) {
      try {
        sp.get();
      } catch (IllegalStateException e) {
        Throwable cause = e.getCause();
        if (cause instanceof BulwarkConfigurationException bce) {
          throw bce;
        }
        String why = cause instanceof InvalidMetadataException ime ? ime.getMessage()
            : cause != null && cause.getMessage() != null ? cause.getMessage() : "unusable";
        throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, p,
            "a usable SAML configuration: " + why);
      }
    }
    return SsoRegistration.saml(id, s.label() != null ? s.label() : "Sign in with SSO (SAML)", sp);
  }

  private static SsoRegistration oidc(String id, BulwarkSsoProperties.Oidc o, SsoRegistrations urls,
      SsoEventListener listener, Clock clock) {
    String p = PREFIX + ".oidc." + id;
    if (o.issuer() == null || !o.issuer().isAbsolute()) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, p + ".issuer",
          "the provider's issuer URL");
    }
    if (o.clientId() == null || o.clientId().isBlank()) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, p + ".client-id",
          "the client id registered at the provider");
    }
    if ((o.clientSecret() == null) == (o.privateKey() == null)) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, p + ".client-secret",
          "exactly one of client-secret and private-key");
    }
    if (o.scopes() == null || !o.scopes().contains("openid")) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, p + ".scopes",
          "a list of scopes that includes openid");
    }
    if (o.clockSkew().isNegative() || o.clockSkew().compareTo(Duration.ofMinutes(5)) > 0) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, p + ".clock-skew",
          "a duration between 0 and 5m");
    }
    Optional<PrivateKey> assertionKey = Optional.ofNullable(o.privateKey()).map(v -> key(v, p + ".private-key"));
    AssuranceMapping mapping = assurance(o.assurance());
    Supplier<ProviderMetadata> provider = new CachingSupplier<>(
        () -> ProviderMetadata.discover(o.issuer(), o.httpTimeout()), clock, RETRY);
    Supplier<OidcRelyingParty> rp = new CachingSupplier<>(() -> {
      OidcRelyingParty.Builder b = OidcRelyingParty.builder(provider.get(), o.clientId(), urls.callback(id))
          .scopes(o.scopes())
          .clock(clock)
          .clockSkew(o.clockSkew())
          .httpTimeout(o.httpTimeout())
          .assuranceMapping(mapping)
          .listener(listener);
      if (o.clientSecret() != null) {
        b.clientSecret(o.clientSecret());
      } else {
        b.privateKeyJwt(assertionKey.get(), o.keyId());
      }
      if (o.fetchUserInfo()) {
        b.fetchUserInfo();
      }
      return b.build();
    }, clock, RETRY);
    return SsoRegistration.oidc(id, o.label() != null ? o.label() : "Sign in with SSO (OIDC)", rp, provider);
  }

  /** The value itself, or the text at a {@code file:}/{@code classpath:} location. */
  private static String text(ResourceLoader resources, String value, String property) {
    String v = value.strip();
    if (!(v.startsWith("file:") || v.startsWith("classpath:"))) {
      return v;
    }
    Resource r = resources.getResource(v);
    try (InputStream in = r.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, property,
          "a readable location (" + v + " cannot be read)");
    }
  }

  private static PrivateKey key(String text, String property) {
    try {
      return KeyMaterial.privateKey(text);
    } catch (IllegalArgumentException e) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, property,
          "a PKCS#8 RSA or EC private key as PEM or Base64, or its file: location (" + e.getMessage() + ")");
    }
  }

  private static X509Certificate cert(String text, String property) {
    try {
      return KeyMaterial.certificate(text);
    } catch (IllegalArgumentException e) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, property,
          "an X.509 certificate as PEM or Base64, or its file: location (" + e.getMessage() + ")");
    }
  }

  /** The IdP metadata at {@code url}: at most 1 MiB, read no further than one byte past that. */
  static byte[] fetch(URI url) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER).build();
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    // At most one byte past the limit is read: a hostile metadata URL cannot fill the heap first.
    try (InputStream in = r.body()) {
      if (r.statusCode() != 200) {
        throw new IOException("metadata answered HTTP " + r.statusCode());
      }
      byte[] body = in.readNBytes((1 << 20) + 1);
      if (body.length > (1 << 20)) {
        throw new IOException("metadata larger than 1 MiB");
      }
      return body;
    }
  }
}
