package io.github.multiprocessing4j.internal.runtime;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPLoggerFactory;
import org.slf4j.helpers.SubstituteLoggerFactory;

/**
 * The library's loggers: SLF4J's where a provider is bound, else ({@link #unbound()}) one that
 * writes WARN and ERROR events to {@link System#err}, one line each (an ERROR's exception follows
 * with its stack trace: a user's callback that threw must be found). Without this, a new user's
 * default set-up (slf4j-api and no provider) dropped everything after SLF4J's own warning: a pool
 * callback that threw produced no output at all. A user who binds {@code slf4j-nop} chose silence
 * and gets it. Logger names are the classes' names, all under {@code io.github.multiprocessing4j}.
 */
public final class Log {

  /** SLF4J's property that quiets its own warnings; given to children (see {@link #childOption}). */
  static final String VERBOSITY_PROPERTY = "slf4j.internal.verbosity";

  private static volatile Boolean unbound;

  private Log() {}

  /**
   * Returns the logger of a class.
   *
   * @param c the class, whose name is the logger's
   * @return SLF4J's logger, or the fallback to {@code System.err} if no provider is bound
   */
  public static Logger get(Class<?> c) {
    Logger slf4j = LoggerFactory.getLogger(c);
    if (!unbound()) {
      return slf4j;
    }
    try {
      return new StderrLogger(c.getName());
    } catch (LinkageError e) {
      return slf4j; // an slf4j-api older than 2.0 (no LegacyAbstractLogger): its NOP logger
    }
  }

  /**
   * Tells whether SLF4J found no provider and fell back to its no-operation logger (not the
   * {@code slf4j-nop} provider, which a user binds on purpose).
   *
   * @return whether the library's WARN and ERROR events go to {@code System.err}
   */
  public static boolean unbound() {
    Boolean u = unbound;
    if (u == null) {
      ILoggerFactory f = LoggerFactory.getILoggerFactory();
      if (f instanceof SubstituteLoggerFactory) {
        return false; // SLF4J initialises in another thread meanwhile: not known yet, asked again next time
      }
      u = f instanceof NOPLoggerFactory && !present("org.slf4j.nop.NOPServiceProvider");
      unbound = u;
    }
    return u;
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, Log.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * The system property a child JVM gets so that SLF4J's three-line "No SLF4J providers were
   * found" warning, which this JVM already printed, is not printed again by every child: only
   * when no provider is bound here and the user set no verbosity of their own.
   *
   * @param userSet whether the user gave the child the property (a system property or option)
   * @return the {@code -D} option, or null for none
   */
  public static String childOption(boolean userSet) {
    if (userSet || System.getProperty(VERBOSITY_PROPERTY) != null || !unbound()) {
      return null;
    }
    return "-D" + VERBOSITY_PROPERTY + "=ERROR";
  }

  /** WARN and ERROR to {@code System.err}, one line per event; nothing below WARN. */
  private static final class StderrLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    StderrLogger(String name) {
      this.name = name;
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return false;
    }

    @Override
    public boolean isInfoEnabled() {
      return false;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String message, Object[] args,
        Throwable thrown) {
      StringWriter text = new StringWriter();
      text.append(level.toString()).append(' ').append(name).append(" - ")
          .append(MessageFormatter.basicArrayFormat(message, args));
      if (thrown != null && level == Level.ERROR) {
        text.append(": ");
        thrown.printStackTrace(new PrintWriter(text, true)); // its first line ends this one
      } else {
        if (thrown != null) {
          text.append(": ").append(thrown.toString());
        }
        text.append(System.lineSeparator());
      }
      System.err.print(text); // one call: lines of concurrent events do not interleave
      System.err.flush();
    }
  }
}
