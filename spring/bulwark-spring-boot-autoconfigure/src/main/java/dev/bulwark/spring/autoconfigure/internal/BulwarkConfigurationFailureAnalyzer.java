package dev.bulwark.spring.autoconfigure.internal;

import dev.bulwark.spring.autoconfigure.BulwarkConfigurationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a {@link BulwarkConfigurationException} in Spring Boot's start-up failure report. */
public final class BulwarkConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<BulwarkConfigurationException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, BulwarkConfigurationException cause) {
    String description;
    String action;
    if (cause.kind() == BulwarkConfigurationException.Kind.MISSING_SECRET) {
      description = "Bulwark refused to start: the required secret '" + cause.property() + "' is not set.";
      action = "Set '" + cause.property() + "' to " + cause.expected() + ". Bulwark never falls back "
          + "to a generated key outside a development profile, because data protected by it would be "
          + "lost at the next restart.";
    } else {
      description = "Bulwark refused to start: the property '" + cause.property() + "' is invalid.";
      action = "Set '" + cause.property() + "' to " + cause.expected() + ".";
    }
    return new FailureAnalysis(description, action, cause);
  }
}
