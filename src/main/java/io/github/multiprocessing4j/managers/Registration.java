package io.github.multiprocessing4j.managers;

import java.io.Serializable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A type that a manager serves: its type id, the factory that makes its objects, the interface
 * its proxies implement, and CPython's options of {@code BaseManager.register}: which methods are
 * exposed, which methods return proxies rather than copies, and whether {@code get} may create it.
 *
 * <pre>{@code
 * Registration counter = Registration.of("Counter", CounterApi.class, args -> new Counter())
 *     .exposed("increment", "value");
 * }</pre>
 *
 * <p>Immutable: each option returns a new registration. Serializable, as it travels to the
 * manager's process with the factory.
 */
public final class Registration implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The type id. */
  private final String typeId;
  /** The interface the proxies implement. */
  private final Class<?> exposedInterface;
  /** Makes the objects, in the server's process. */
  private final ManagedFactory factory;
  /** The exposed method names; null: every method of the interface. */
  private final TreeSet<String> exposed;
  /** Methods whose results are proxies, each with its result's type id. */
  private final LinkedHashMap<String, String> methodToTypeId;
  /** Whether {@code get} may create objects of the type. */
  private final boolean createMethod;
  /** {@link #exposedMethods()}, once computed. */
  private transient volatile Set<String> exposedCache;

  private Registration(String typeId, Class<?> exposedInterface, ManagedFactory factory, TreeSet<String> exposed,
      LinkedHashMap<String, String> methodToTypeId, boolean createMethod) {
    this.typeId = typeId;
    this.exposedInterface = exposedInterface;
    this.factory = factory;
    this.exposed = exposed;
    this.methodToTypeId = methodToTypeId;
    this.createMethod = createMethod;
  }

  /**
   * Registers a type: {@code get(typeId, ...)} makes an object with {@code factory} in the
   * manager's process and returns a proxy implementing {@code exposedInterface}, whose methods
   * are all exposed.
   *
   * @param typeId the type id, not empty
   * @param exposedInterface an interface the proxies implement; its methods are called on the
   *     object by name and parameter types, so the object need not implement it
   * @param factory makes the objects; serializable
   * @return the registration
   * @throws IllegalArgumentException if {@code typeId} is empty or {@code exposedInterface} is
   *     not an interface
   */
  public static Registration of(String typeId, Class<?> exposedInterface, ManagedFactory factory) {
    Objects.requireNonNull(typeId, "typeId");
    Objects.requireNonNull(exposedInterface, "exposedInterface");
    Objects.requireNonNull(factory, "factory");
    if (typeId.isEmpty()) {
      throw new IllegalArgumentException("typeId is empty");
    }
    if (!exposedInterface.isInterface()) {
      throw new IllegalArgumentException(exposedInterface.getName() + " is not an interface: a proxy implements"
          + " an interface whose methods are called on the managed object");
    }
    return new Registration(typeId, exposedInterface, factory, null, new LinkedHashMap<>(), true);
  }

  /**
   * Exposes only these methods: CPython's {@code exposed}. A proxy's call of any other method
   * fails with a {@link RemoteError}.
   *
   * @param methods method names of the interface
   * @return a registration with that option
   * @throws IllegalArgumentException if a name is not a method of the interface
   */
  public Registration exposed(String... methods) {
    TreeSet<String> names = new TreeSet<>();
    for (String m : methods) {
      checkMethod(Objects.requireNonNull(m, "method"));
      names.add(m);
    }
    return new Registration(typeId, exposedInterface, factory, names, methodToTypeId, createMethod);
  }

  /**
   * Makes a method return a proxy of its result, registered under another type id, instead of a
   * copy: CPython's {@code method_to_typeid}. The result stays in the manager's process.
   *
   * @param method a method name of the interface
   * @param resultTypeId the type id of its results, registered with the same manager
   * @return a registration with that option
   * @throws IllegalArgumentException if {@code method} is not a method of the interface
   */
  public Registration methodToTypeId(String method, String resultTypeId) {
    checkMethod(Objects.requireNonNull(method, "method"));
    Objects.requireNonNull(resultTypeId, "resultTypeId");
    LinkedHashMap<String, String> m = new LinkedHashMap<>(methodToTypeId);
    m.put(method, resultTypeId);
    return new Registration(typeId, exposedInterface, factory, exposed, m, createMethod);
  }

  /**
   * Whether {@link BaseManager#get} may create objects of this type: CPython's
   * {@code create_method}, {@code true} by default. A type whose objects only come from other
   * methods ({@link #methodToTypeId}) may say {@code false}.
   *
   * @param createMethod whether {@code get} may create it
   * @return a registration with that option
   */
  public Registration createMethod(boolean createMethod) {
    return new Registration(typeId, exposedInterface, factory, exposed, methodToTypeId, createMethod);
  }

  /**
   * Returns the type id.
   *
   * @return the type id
   */
  public String typeId() {
    return typeId;
  }

  /**
   * Returns the interface the proxies implement.
   *
   * @return the interface
   */
  public Class<?> exposedInterface() {
    return exposedInterface;
  }

  /**
   * Returns the exposed method names: those given to {@link #exposed}, or else every public
   * method of the interface.
   *
   * @return the names, sorted; unmodifiable
   */
  public Set<String> exposedMethods() {
    Set<String> e = exposedCache;
    if (e == null) { // asked on every call in the server: computed once (a benign race)
      TreeSet<String> all = exposed;
      if (all == null) {
        all = new TreeSet<>();
        for (Method m : exposedInterface.getMethods()) {
          if (!Modifier.isStatic(m.getModifiers())) {
            all.add(m.getName());
          }
        }
      }
      e = Collections.unmodifiableSet(all);
      exposedCache = e;
    }
    return e;
  }

  /**
   * Returns the methods whose results are proxies, each with its result's type id.
   *
   * @return method name to type id; unmodifiable
   */
  public Map<String, String> methodToTypeIds() {
    return Collections.unmodifiableMap(methodToTypeId);
  }

  /**
   * Returns whether {@link BaseManager#get} may create objects of this type.
   *
   * @return the option; {@code true} by default
   */
  public boolean createMethod() {
    return createMethod;
  }

  ManagedFactory factory() {
    return factory;
  }

  private void checkMethod(String name) {
    for (Method m : exposedInterface.getMethods()) {
      if (m.getName().equals(name)) {
        return;
      }
    }
    throw new IllegalArgumentException("'" + name + "' is not a method of " + exposedInterface.getName());
  }

  @Override
  public String toString() {
    return "Registration[" + typeId + " as " + exposedInterface.getName()
        + (exposed == null ? "" : ", exposed=" + exposed)
        + (methodToTypeId.isEmpty() ? "" : ", methodToTypeId=" + methodToTypeId)
        + (createMethod ? "" : ", createMethod=false") + "]";
  }
}
