package dev.bulwark.testing.signatures.internal;

import java.util.concurrent.Executor;

/** Public, but in an internal package: not part of the API. */
public final class Hidden {
  public Executor executor() {
    return Runnable::run;
  }
}
