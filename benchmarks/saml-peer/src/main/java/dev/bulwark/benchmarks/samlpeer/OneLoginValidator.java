package dev.bulwark.benchmarks.samlpeer;

import com.onelogin.saml2.authn.SamlResponse;
import com.onelogin.saml2.settings.Saml2Settings;
import com.onelogin.saml2.settings.SettingsBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * OneLogin java-saml validating a {@code SAMLResponse} into a name ID and attributes, with its
 * default (strict) settings and signed assertions required. Loaded by the Bulwark benchmarks in a
 * class loader of its own: the only types it shares with them are the JDK's.
 *
 * <p>Configuration keys: {@code sp}, {@code acs}, {@code idp}, {@code sso}, {@code cert} (the IdP
 * certificate, base64 DER), {@code request} (the ID of the request answered), {@code schema}
 * ({@code false} turns off java-saml's XML Schema validation, which is on by default).
 */
public final class OneLoginValidator implements Function<String, Object> {

  private final Saml2Settings settings;
  private final String acs;
  private final String requestId;

  public OneLoginValidator(Map<String, String> config) {
    Map<String, Object> values = new HashMap<>();
    values.put(SettingsBuilder.STRICT_PROPERTY_KEY, true);
    values.put(SettingsBuilder.SP_ENTITYID_PROPERTY_KEY, config.get("sp"));
    values.put(SettingsBuilder.SP_ASSERTION_CONSUMER_SERVICE_URL_PROPERTY_KEY, config.get("acs"));
    values.put(SettingsBuilder.IDP_ENTITYID_PROPERTY_KEY, config.get("idp"));
    values.put(SettingsBuilder.IDP_SINGLE_SIGN_ON_SERVICE_URL_PROPERTY_KEY, config.get("sso"));
    values.put(SettingsBuilder.IDP_X509CERT_PROPERTY_KEY, config.get("cert"));
    values.put(SettingsBuilder.SECURITY_WANT_ASSERTIONS_SIGNED, true);
    values.put(SettingsBuilder.SECURITY_WANT_XML_VALIDATION, !"false".equals(config.get("schema")));
    this.settings = new SettingsBuilder().fromValues(values).build();
    this.acs = config.get("acs");
    this.requestId = config.get("request");
  }

  /** Validates; returns the name ID and the attributes, or throws with java-saml's error. */
  @Override
  public Object apply(String samlResponse) {
    try {
      SamlResponse r = new SamlResponse(settings, acs, samlResponse);
      if (!r.isValid(requestId)) {
        throw new IllegalStateException("java-saml refused the response: " + r.getError());
      }
      return List.of(r.getNameId(), r.getAttributes());
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("java-saml failed", e);
    }
  }
}
