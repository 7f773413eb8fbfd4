package dev.bulwark.samples.notes;

import java.util.stream.Collectors;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;

/**
 * Reports a misspelled or unknown {@code bulwark.*} or {@code notes.*} key by its name and where it
 * was set, never by its value: Spring Boot's own report prints the value, and a misspelled secret
 * ({@code bulwark.crypto.master-kee=...}) would end up in the log. Runs before Spring Boot's
 * analyzer of the same failure.
 */
public final class UnknownPropertyFailureAnalyzer extends AbstractFailureAnalyzer<UnboundConfigurationPropertiesException>
    implements Ordered {

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, UnboundConfigurationPropertiesException cause) {
    String names = cause.getUnboundProperties().stream().sorted()
        .map(p -> "'" + p.getName() + "'" + (p.getOrigin() == null ? "" : " (" + p.getOrigin() + ")"))
        .collect(Collectors.joining(", "));
    String prefixes = cause.getUnboundProperties().stream().map(p -> p.getName().toString())
        .map(n -> {
          int second = n.indexOf('.', n.indexOf('.') + 1);
          return second < 0 ? n : n.substring(0, second);
        })
        .distinct().sorted().collect(Collectors.joining(", "));
    return new FailureAnalysis("Unknown configuration propert" + (cause.getUnboundProperties().size() == 1 ? "y " : "ies ")
        + names + ": no setting of that name exists under " + prefixes + " (the value is not shown: it may be a "
        + "secret).", "Correct the name (an IDE completes the known ones from the configuration metadata) or remove it.",
        cause);
  }
}
