//===- trace/abi.hpp - Interface between instrumented code and runtime ----===//
//
// The plugin force-includes this header in every translation unit it
// rewrites; the inserted code uses only the names declared here (see the
// appendix of docs/design.md). It stays light: no standard container or
// stream headers, so instrumenting a file does not change what it sees.
// Everything expensive lives in libtrace_rt.a.
//
//===----------------------------------------------------------------------===//

#ifndef TRACE_ABI_HPP
#define TRACE_ABI_HPP

#include "format.hpp" // Next to this file: found without -I.

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <type_traits>
#include <utility>

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#define TRACE_RT_EXCEPTIONS 1
#else
#define TRACE_RT_EXCEPTIONS 0
#endif

namespace __trace_rt {

//===----------------------------------------------------------------------===//
// Static metadata emitted by the plugin.
//===----------------------------------------------------------------------===//

/// Enumerator names of an enum type, so values print as names.
struct EnumInfo {
  const char *TypeName;
  unsigned Count;
  const long long *Values;
  const char *const *Names;
};

enum : unsigned { SiteTrainable = 1, SiteMember = 2, SiteNoexcept = 4 };

/// Per-bundle metadata. The plugin aggregate-initialises the fields up to
/// Flags (optionally Enums); the rest belong to the runtime and start at 0.
struct Site {
  uint64_t Hash;
  const char *Key;
  const char *Name;
  const char *Pretty;
  const char *File;
  unsigned Line;
  const char *ParamNames;
  unsigned NumParams;
  const char *Doc;
  const char *ParamId;
  unsigned Flags;
  const EnumInfo *const *Enums = nullptr;
  /// Id in the trace file; assigned by the writer (under its lock).
  uint32_t Id = 0;
  /// Calls that reached the runtime, counted (relaxed atomic) only under
  /// TRACE_MAX_CALLS_PER_FUNCTION so unlimited runs pay nothing for it.
  uint64_t Calls = 0;
  /// Next site whose calls were cut; the list is reported at exit.
  Site *NextCut = nullptr;
};

/// A trainable parameter (code of a function or initializer of a variable).
struct ParamInfo {
  const char *Id;
  unsigned Kind;
  const char *Name, *File;
  unsigned Line;
  unsigned long long Begin, End;
  const char *Hash;
  const char *Text;
  const char *Signature;
  const char *Constraint;
  const char *Type;
};

/// A translation unit that registered trainable parameters.
struct TuInfo {
  const char *File, *Directory, *Args;
};

//===----------------------------------------------------------------------===//
// Rendering values as text.
//===----------------------------------------------------------------------===//

/// Text sink owned by the runtime; values render into it through the
/// out-of-line functions below (the header never builds std::string).
class Out;

void outWrite(Out &O, const char *P, std::size_t N) noexcept;
void outCStr(Out &O, const char *S) noexcept;
void outQuoted(Out &O, const char *P, std::size_t N) noexcept;
void outChar(Out &O, char C) noexcept;
void outBool(Out &O, bool B) noexcept;
void outSigned(Out &O, long long V) noexcept;
void outUnsigned(Out &O, unsigned long long V) noexcept;
void outFloat(Out &O, float V) noexcept;
void outDouble(Out &O, double V) noexcept;
void outLongDouble(Out &O, long double V) noexcept;
void outPointer(Out &O, const void *P) noexcept;
void outEnum(Out &O, long long V, const EnumInfo *E, const char *TypeName,
             unsigned TypeLen) noexcept;
/// A std::ostream writing into \p O, for user operator<< overloads.
std::ostream &outStream(Out &O) noexcept;
/// True once \p O holds more than the value limit; containers stop early.
bool outFull(const Out &O) noexcept;
/// Bytes \p O still keeps before its limit (0 once full).
std::size_t outRoom(const Out &O) noexcept;
/// A string of known size, quoted and escaped; bytes past the room left are
/// counted, not escaped, so the cost is bounded by the limit.
void outString(Out &O, const char *P, std::size_t N) noexcept;
/// A `char *`: the quoted string when the runtime may read it up to its NUL;
/// a prefix and `…` when it goes on past the room; the address when the
/// readable memory ends first (SafeRead.cpp, docs/runtime.md).
void outCString(Out &O, const char *P) noexcept;
/// Length of the C string at \p P when it ends within \p Max bytes
/// (\p Terminated set); else how many bytes, at most \p Max, were read.
/// Reads only bytes on pages known to be readable, and not poisoned under
/// AddressSanitizer: never faults, never follows a pointer past its object.
std::size_t safeCStringPrefix(const char *P, std::size_t Max,
                              bool &Terminated) noexcept;
/// The value limit (TRACE_MAX_VALUE) and the elements shown per container
/// (TRACE_MAX_ELEMENTS).
std::size_t valueLimit() noexcept;
std::size_t elementLimit() noexcept;

/// A type's name, taken from __PRETTY_FUNCTION__ at compile time.
struct TypeStr {
  const char *Ptr;
  unsigned Len;
};

namespace detail {

/// The object's address as const void *, even for volatile objects and
/// types that overload unary operator&.
template <class T> inline const void *addr(const T &V) noexcept {
  return const_cast<const void *>(
      static_cast<const volatile void *>(__builtin_addressof(V)));
}

template <class T> constexpr TypeStr typeNameOf() {
  // clang: "... typeNameOf() [T = int]"; gcc: "... [with T = int]".
  const char *P = __PRETTY_FUNCTION__;
  std::size_t N = 0;
  while (P[N])
    ++N;
  std::size_t Start = 0;
  for (std::size_t I = 0; I + 4 <= N; ++I) {
    if (P[I] == 'T' && P[I + 1] == ' ' && P[I + 2] == '=' && P[I + 3] == ' ') {
      Start = I + 4;
      break;
    }
  }
  std::size_t End = N;
  if (End > Start && P[End - 1] == ']')
    --End;
  return TypeStr{P + Start, static_cast<unsigned>(End - Start)};
}

template <class T> struct TypeName {
  static constexpr TypeStr Value = typeNameOf<T>();
};

template <class...> using VoidT = void;

// Unqualified names that make ADL calls parse; never called.
void trace_format();
template <std::size_t> void get();
void visit();

template <class T, class = void> struct HasTraceFormat : std::false_type {};
template <class T>
struct HasTraceFormat<T, VoidT<decltype(trace_format(std::declval<const T &>()))>>
    : std::true_type {};

/// A string of the standard library's shape (std::string, std::string_view):
/// a traits_type, and data()/size() of chars.
template <class T, class = void> struct IsStdString : std::false_type {};
template <class T>
struct IsStdString<T, VoidT<typename T::traits_type,
                            decltype(std::declval<const T &>().size()),
                            decltype(static_cast<const char *>(
                                std::declval<const T &>().data()))>>
    : std::true_type {};

/// std::ostream, made dependent on T so that its completeness is asked when
/// a value of T is rendered, not when this header is read.
template <class T> struct DependentOStream { using Type = std::ostream; };

/// `os << v` is well-formed. operator<< is used only when std::ostream is
/// complete: some library overloads (libstdc++'s shared_ptr one) are
/// unconstrained templates whose bodies need the complete stream, which
/// <iosfwd> alone does not give.
template <class T, class = void> struct HasOStreamExpr : std::false_type {};
template <class T>
struct HasOStreamExpr<
    T, VoidT<decltype(sizeof(typename DependentOStream<T>::Type)),
             decltype(std::declval<typename DependentOStream<T>::Type &>()
                      << std::declval<const T &>())>> : std::true_type {};

struct BoolInsertion {};

/// std::ostream whose operator<< for bool gives a BoolInsertion: `P << v`
/// has that type exactly when `os << v` picks ostream's bool overload. When
/// the class has an operator<< of its own, `P << v` picks it or is
/// ambiguous (the stream's conversion to std::ostream& against v's
/// conversion to bool), never the bool overload.
template <class T> struct BoolProbe : DependentOStream<T>::Type {
  using DependentOStream<T>::Type::operator<<;
  BoolInsertion operator<<(bool); // Never defined: only its type is asked.
};

template <class T, class = void> struct BoolProbeResult {
  using Type = void;
};
template <class T>
struct BoolProbeResult<T, VoidT<decltype(std::declval<BoolProbe<T> &>()
                                         << std::declval<const T &>())>> {
  using Type = decltype(std::declval<BoolProbe<T> &>()
                        << std::declval<const T &>());
};

/// A class whose `os << v` resolves only through its conversion to bool (an
/// `operator bool`, or the safe-bool `operator unspecified_bool_type`, a
/// pointer to member): printing it would show `1` or `0` for a handle, a
/// status or a connection. Only classes convertible to bool are probed.
template <class T, bool = std::is_class<T>::value &&
                          std::is_convertible<const T &, bool>::value>
struct StreamsAsBool : std::false_type {};
template <class T>
struct StreamsAsBool<T, true>
    : std::is_same<typename BoolProbeResult<T>::Type, BoolInsertion> {};

/// render() writes a value of T with operator<<: it is well-formed and does
/// not merely print the value's truth. (An `explicit operator bool` is not
/// used by `os << v` at all.)
template <class T, bool = HasOStreamExpr<T>::value>
struct HasOStream : std::false_type {};
template <class T>
struct HasOStream<T, true>
    : std::integral_constant<bool, !StreamsAsBool<T>::value> {};

/// A contiguous run of chars that is not a standard string: `data()` gives
/// a `char *` (or `const char *`) and `size()` an integer, like a slice, a
/// `std::span<const char>`, a `std::vector<char>` or a `std::array<char, N>`.
/// `signed char` and `unsigned char` are numbers, not text: their ranges
/// stay lists. Asked through overloads rather than a partial
/// specialization: libstdc++'s std::vector<bool> has a protected, deleted
/// data(), which clang 19 reported as a hard error from a specialization's
/// condition.
template <class T>
auto charSpanData(int) -> decltype(std::declval<const T &>().data());
template <class T> void charSpanData(...);
template <class T>
auto charSpanSize(int) -> decltype(std::declval<const T &>().size());
template <class T> void charSpanSize(...);

template <class P>
struct IsCharPointer
    : std::integral_constant<
          bool, std::is_pointer<P>::value &&
                    std::is_same<typename std::remove_cv<
                                     typename std::remove_pointer<P>::type>::type,
                                 char>::value> {};

template <class T>
struct IsCharSpan
    : std::integral_constant<
          bool, IsCharPointer<decltype(charSpanData<T>(0))>::value &&
                    std::is_integral<decltype(charSpanSize<T>(0))>::value> {};

/// Rendered as a quoted string (outString) and captured as one: standard
/// strings, and char spans that have no operator<< of their own (the type's
/// author chose how those read).
template <class T>
struct IsStringLike
    : std::integral_constant<bool, IsStdString<T>::value ||
                                       (IsCharSpan<T>::value &&
                                        !HasOStream<T>::value)> {};

template <class T, class = void> struct IsOptionalLike : std::false_type {};
template <class T>
struct IsOptionalLike<T, VoidT<decltype(std::declval<const T &>().has_value()),
                               decltype(*std::declval<const T &>())>>
    : std::true_type {};

template <class T, class = void> struct IsVariantLike : std::false_type {};
template <class T>
struct IsVariantLike<
    T, VoidT<decltype(std::declval<const T &>().index()),
             decltype(std::declval<const T &>().valueless_by_exception())>>
    : std::true_type {};

template <class T, class = void> struct IsTupleLike : std::false_type {};
template <class T>
struct IsTupleLike<T, VoidT<decltype(std::tuple_size<T>::value)>>
    : std::true_type {};

/// Whether the type name \p S contains \p Word (evaluated at compile time).
constexpr bool nameHas(TypeStr S, const char *Word) {
  std::size_t W = 0;
  while (Word[W])
    ++W;
  for (std::size_t I = 0; I + W <= S.Len; ++I) {
    std::size_t J = 0;
    while (J < W && S.Ptr[I + J] == Word[J])
      ++J;
    if (J == W)
      return true;
  }
  return false;
}

/// A standard forward, bidirectional, random-access or contiguous iterator
/// tag. Told by name: <iterator> is not included here, so the tag types
/// cannot be named (a tag of the program's own derived from them is not
/// recognised, and its range is shown by name).
template <class Tag> constexpr bool isMultiPassTag() {
  constexpr TypeStr N = TypeName<Tag>::Value;
  return nameHas(N, "forward_iterator_tag") ||
         nameHas(N, "bidirectional_iterator_tag") ||
         nameHas(N, "random_access_iterator_tag") ||
         nameHas(N, "contiguous_iterator_tag");
}

template <class I, class = void> struct HasIterConcept : std::false_type {};
template <class I>
struct HasIterConcept<I, VoidT<typename I::iterator_concept>>
    : std::true_type {};
template <class I, class = void> struct HasIterCategory : std::false_type {};
template <class I>
struct HasIterCategory<I, VoidT<typename I::iterator_category>>
    : std::true_type {};

/// Iterators that can walk a range again without consuming it: pointers and
/// iterators whose C++20 concept (else C++17 category) is forward or
/// stronger. An input iterator (a stream's, a generator's) consumes what it
/// reads, and one with no category may: neither is iterated.
template <class I> constexpr bool isMultiPass() {
  if constexpr (std::is_pointer<I>::value)
    return true;
  else if constexpr (HasIterConcept<I>::value)
    return isMultiPassTag<typename I::iterator_concept>();
  else if constexpr (HasIterCategory<I>::value)
    return isMultiPassTag<typename I::iterator_category>();
  else
    return false;
}

/// A range render() iterates: const begin()/end(), a multi-pass iterator
/// (reading an input range would consume it: a class over a std::istream
/// is shown by name), and elements not of its own type (a
/// std::filesystem::path iterates over paths; rendering it as a range
/// would never end).
template <class T, class = void> struct IsRange : std::false_type {};
template <class T>
struct IsRange<T, VoidT<decltype(std::declval<const T &>().begin() !=
                                 std::declval<const T &>().end()),
                        decltype(*std::declval<const T &>().begin())>>
    : std::integral_constant<
          bool, !std::is_same<std::decay_t<decltype(
                                  *std::declval<const T &>().begin())>,
                              T>::value &&
                    isMultiPass<std::decay_t<
                        decltype(std::declval<const T &>().begin())>>()> {};

/// A range that knows its size without walking it (`size()`).
template <class T, class = void> struct HasSize : std::false_type {};
template <class T>
struct HasSize<T, VoidT<decltype(std::declval<const T &>().size())>>
    : std::is_integral<decltype(std::declval<const T &>().size())> {};

template <class T, class = void> struct HasMapped : std::false_type {};
template <class T>
struct HasMapped<T, VoidT<typename T::key_type, typename T::mapped_type>>
    : std::true_type {};

template <class T, class = void> struct HasKey : std::false_type {};
template <class T>
struct HasKey<T, VoidT<typename T::key_type>> : std::true_type {};

/// True when a range's elements are proxies convertible to its value_type.
template <class E, class T, class = void> struct IsProxyOf : std::false_type {};
template <class E, class T>
struct IsProxyOf<E, T, VoidT<typename T::value_type>>
    : std::integral_constant<
          bool, !std::is_same<E, typename T::value_type>::value &&
                    std::is_convertible<E, typename T::value_type>::value &&
                    std::is_scalar<typename T::value_type>::value> {};

template <class T>
constexpr bool IsCharPtr =
    std::is_pointer<T>::value &&
    std::is_same<std::remove_cv_t<std::remove_pointer_t<T>>, char>::value;

template <class T> constexpr bool isDeferred();

/// Values captured as raw bytes (at most 16, trivially copyable) and
/// rendered later by the writer. Only values whose text cannot depend on
/// anything outside those bytes qualify: scalars other than strings,
/// tuple-likes and optionals of such, and class types that render as their
/// name. Strings and anything else are captured as text at the call.
template <class T> constexpr bool IsDeferred = isDeferred<T>();

template <class T, std::size_t... Is>
constexpr bool tupleDeferred(std::index_sequence<Is...>) {
  return (... && (!std::is_reference<typename std::tuple_element<Is, T>::type>::value &&
                  IsDeferred<std::remove_cv_t<typename std::tuple_element<Is, T>::type>>));
}

template <class T, class = void> struct HasValueType : std::false_type {};
template <class T>
struct HasValueType<T, VoidT<typename T::value_type>> : std::true_type {};

template <class T> constexpr bool isDeferred() {
  if constexpr (!std::is_trivially_copyable<T>::value || sizeof(T) > 16 ||
                HasTraceFormat<T>::value) {
    return false;
  } else if constexpr (std::is_scalar<T>::value) {
    return !std::is_member_pointer<T>::value && !IsCharPtr<T>;
  } else if constexpr (!std::is_class<T>::value) {
    return false;
  } else if constexpr (HasOStream<T>::value || IsStringLike<T>::value ||
                       IsVariantLike<T>::value) {
    return false;
  } else if constexpr (IsTupleLike<T>::value) {
    return tupleDeferred<T>(std::make_index_sequence<std::tuple_size<T>::value>());
  } else if constexpr (IsOptionalLike<T>::value) {
    if constexpr (HasValueType<T>::value)
      return IsDeferred<std::remove_cv_t<typename T::value_type>>;
    else
      return false;
  } else if constexpr (IsRange<T>::value) {
    return false;
  } else {
    return true; // Rendered as its type's name.
  }
}

} // namespace detail

template <class T> void render(Out &O, const T &V) noexcept;

namespace detail {

template <class T, std::size_t... Is>
void renderTuple(Out &O, const T &V, std::index_sequence<Is...>) noexcept {
  outChar(O, '(');
  bool First = true;
  (void)First;
  ((First ? (void)(First = false) : outWrite(O, ", ", 2),
    ::__trace_rt::render(O, get<Is>(V))),
   ...);
  outChar(O, ')');
}

/// Closes a container cut after \p Shown elements: `… +N more` when its size
/// is known without walking it, else `…` (an unbounded view, a forward_list).
inline void outElided(Out &O, std::size_t Shown, bool Known,
                      std::size_t More) noexcept {
  if (Shown)
    outWrite(O, ", ", 2);
  outWrite(O, "\xE2\x80\xA6", 3);
  if (Known) {
    outWrite(O, " +", 2);
    outUnsigned(O, More);
    outWrite(O, " more", 5);
  }
}

/// Shows at most elementLimit() elements and stops as soon as the text is
/// past the value limit, so the cost is bounded by what is kept, never by
/// the size of the range (which may be unbounded: std::views::iota(1)).
template <class T> void renderRange(Out &O, const T &V) noexcept {
  constexpr bool IsMap = HasMapped<T>::value;
  constexpr bool IsSet = !IsMap && HasKey<T>::value;
  outChar(O, IsMap || IsSet ? '{' : '[');
  const std::size_t Max = elementLimit();
  std::size_t Shown = 0;
  bool Cut = false;
  auto It = V.begin();
  auto End = V.end();
  for (; It != End; ++It) {
    if (Shown == Max || outFull(O)) {
      Cut = true;
      break;
    }
    if (Shown)
      outWrite(O, ", ", 2);
    ++Shown;
    const auto &E = *It;
    if constexpr (IsMap) {
      ::__trace_rt::render(O, E.first);
      outWrite(O, ": ", 2);
      ::__trace_rt::render(O, E.second);
    } else if constexpr (IsProxyOf<std::decay_t<decltype(E)>, T>::value) {
      // Proxy elements (std::vector<bool>): render as the value type.
      ::__trace_rt::render(O, static_cast<typename T::value_type>(E));
    } else {
      ::__trace_rt::render(O, E);
    }
  }
  if (Cut) {
    if constexpr (HasSize<T>::value) {
      const auto Size = static_cast<std::size_t>(V.size());
      outElided(O, Shown, true, Size > Shown ? Size - Shown : 0);
    } else {
      outElided(O, Shown, false, 0);
    }
  }
  outChar(O, IsMap || IsSet ? '}' : ']');
}

} // namespace detail

/// Renders \p V as text; see docs/runtime.md for the rules and for the
/// customization point (ADL trace_format, then operator<<).
template <class T> void render(Out &O, const T &V) noexcept {
  using namespace detail;
  if constexpr (HasTraceFormat<T>::value) {
    const auto &S = trace_format(V);
    if constexpr (std::is_convertible<decltype(S), const char *>::value)
      outCStr(O, S);
    else
      outWrite(O, S.data(), S.size());
  } else if constexpr (std::is_same<T, bool>::value) {
    outBool(O, V);
  } else if constexpr (std::is_same<T, char>::value) {
    outChar(O, '\'');
    if (V == '\'')
      outWrite(O, "\\'", 2);
    else
      outQuoted(O, &V, 1);
    outChar(O, '\'');
  } else if constexpr (std::is_integral<T>::value && std::is_signed<T>::value) {
    outSigned(O, static_cast<long long>(V));
  } else if constexpr (std::is_integral<T>::value) {
    outUnsigned(O, static_cast<unsigned long long>(V));
  } else if constexpr (std::is_same<T, float>::value) {
    outFloat(O, V);
  } else if constexpr (std::is_same<T, double>::value) {
    outDouble(O, V);
  } else if constexpr (std::is_floating_point<T>::value) {
    outLongDouble(O, static_cast<long double>(V));
  } else if constexpr (std::is_enum<T>::value) {
    constexpr TypeStr N = TypeName<T>::Value;
    outEnum(O, static_cast<long long>(V), nullptr, N.Ptr, N.Len);
  } else if constexpr (std::is_null_pointer<T>::value) {
    outWrite(O, "nullptr", 7);
  } else if constexpr (IsCharPtr<T>) {
    // Not assumed to be NUL-terminated, nor to point into memory the
    // program owns: SafeRead.cpp reads what it may.
    outCString(O, V);
  } else if constexpr (std::is_pointer<T>::value) {
    if constexpr (std::is_function<std::remove_pointer_t<T>>::value)
      outPointer(O, reinterpret_cast<const void *>(V));
    else // Object pointers may point to volatile; only the address is shown.
      outPointer(O, const_cast<const void *>(
                        static_cast<const volatile void *>(V)));
  } else if constexpr (std::is_array<T>::value) {
    if constexpr (std::is_same<std::remove_cv_t<std::remove_extent_t<T>>,
                               char>::value) {
      // The array is the program's: read up to its NUL, or its end, but no
      // further than the text can keep.
      std::size_t Bound = std::extent<T>::value;
      const std::size_t Room = outRoom(O);
      if (Room < Bound)
        Bound = Room + 1;
      std::size_t N = 0;
      while (N < Bound && V[N])
        ++N;
      outString(O, V, N);
    } else {
      constexpr std::size_t Size = std::extent<T>::value;
      const std::size_t Max = elementLimit();
      outChar(O, '[');
      std::size_t I = 0;
      for (; I < Size && I < Max && !outFull(O); ++I) {
        if (I)
          outWrite(O, ", ", 2);
        ::__trace_rt::render(O, V[I]);
      }
      if (I < Size)
        outElided(O, I, true, Size - I);
      outChar(O, ']');
    }
  } else if constexpr (IsStringLike<T>::value) {
    // Standard strings and char spans alike: bytes past the limit are
    // counted, not read.
    outString(O, V.data(), static_cast<std::size_t>(V.size()));
  } else if constexpr (HasOStream<T>::value) {
    outStream(O) << V;
  } else if constexpr (IsOptionalLike<T>::value) {
    if (V.has_value())
      ::__trace_rt::render(O, *V);
    else
      outWrite(O, "nullopt", 7);
  } else if constexpr (IsVariantLike<T>::value) {
    if (V.valueless_by_exception())
      outWrite(O, "valueless", 9);
    else
      visit([&O](const auto &X) { ::__trace_rt::render(O, X); }, V);
  } else if constexpr (IsRange<T>::value) {
    renderRange(O, V);
  } else if constexpr (IsTupleLike<T>::value) {
    renderTuple(O, V, std::make_index_sequence<std::tuple_size<T>::value>());
  } else {
    constexpr TypeStr N = TypeName<T>::Value;
    outWrite(O, N.Ptr, N.Len);
    outWrite(O, "{...}", 5);
  }
}

/// Type-erased renderer stored next to captured bytes or an object.
using RenderFn = void (*)(Out &, const void *, const EnumInfo *);

template <class T>
void renderErased(Out &O, const void *P, const EnumInfo *E) noexcept {
  const T &V = *static_cast<const T *>(P);
  if constexpr (std::is_enum<T>::value) {
    if (E) {
      constexpr TypeStr N = detail::TypeName<T>::Value;
      outEnum(O, static_cast<long long>(V), E, N.Ptr, N.Len);
      return;
    }
  }
  (void)E;
  render(O, V);
}

//===----------------------------------------------------------------------===//
// Recording calls (the hot path).
//===----------------------------------------------------------------------===//

struct ThreadState;

/// 0 = not initialised yet, 1 = recording, 2 = off (TRACE_ENABLE=0). One
/// load decides whether a call records anything.
extern int RuntimeMode;
/// Reads the environment once; returns true when recording is on.
bool initRuntime() noexcept;

/// What a captured value is; part of the record format in the library.
enum class Slot : uint32_t { Arg, Self, Global, Ret };

namespace detail {

/// True for the types render() shows as their name alone (`T{...}`): the
/// same order of tests as render(), ending in its last branch.
template <class T> constexpr bool isFixed() {
  if constexpr (HasTraceFormat<T>::value || std::is_scalar<T>::value ||
                std::is_array<T>::value)
    return false;
  else
    return !IsStringLike<T>::value && !HasOStream<T>::value &&
           !IsOptionalLike<T>::value && !IsVariantLike<T>::value &&
           !IsRange<T>::value && !IsTupleLike<T>::value;
}

/// How the reader renders a value of T from its bytes (trace/format.hpp);
/// Text for types whose text is made in the program at capture time.
template <class T> constexpr __trace_format::TypeKind typeKindOf() {
  using K = __trace_format::TypeKind;
  if constexpr (isFixed<T>())
    return K::Fixed;
  else if constexpr (!IsDeferred<T> || sizeof(T) > 16)
    return K::Text;
  else if constexpr (std::is_same<T, bool>::value)
    return K::Bool;
  else if constexpr (std::is_same<T, char>::value)
    return K::Char;
  else if constexpr (std::is_integral<T>::value)
    return std::is_signed<T>::value ? K::Signed : K::Unsigned;
  else if constexpr (std::is_floating_point<T>::value)
    return K::Float;
  else if constexpr (std::is_enum<T>::value)
    return std::is_signed<std::underlying_type_t<T>>::value ? K::Enum
                                                            : K::EnumUnsigned;
  else if constexpr (std::is_null_pointer<T>::value)
    return K::Null;
  else if constexpr (std::is_pointer<T>::value)
    return K::Pointer;
  else
    return K::Text; // Tuples and optionals of scalars: rendered at capture.
}

} // namespace detail

/// A recorded type: its name, its renderer and how its values are stored
/// (one object per type). Id is the runtime's: the type's id in the trace,
/// 0 until the first value of the type is recorded.
struct TypeDesc {
  TypeStr Name;
  RenderFn Render;
  __trace_format::TypeKind Kind;
  /// Bytes a value stores (sizeof(T)) when the reader renders it; else 0.
  uint32_t Size;
  uint32_t Id;
};
template <class T>
inline TypeDesc TypeDescOf{
    detail::TypeName<T>::Value, &renderErased<T>, detail::typeKindOf<T>(),
    detail::typeKindOf<T>() == __trace_format::TypeKind::Text ||
            detail::typeKindOf<T>() == __trace_format::TypeKind::Fixed
        ? 0u
        : static_cast<uint32_t>(sizeof(T)),
    0};

/// Where a value goes: slot, parameter index, pack element (1-based, 0 if
/// not a pack), packed in one word to keep the capture calls cheap.
constexpr uint64_t valuePos(Slot K, unsigned I, unsigned Sub) {
  return (static_cast<uint64_t>(K) << 56) |
         (static_cast<uint64_t>(Sub & 0xFFFFFFu) << 32) | I;
}
/// Set in a value's position for a parameter taken by value: the callee's
/// own copy, whose address nothing can have bound, so only the caller's
/// notes can give it a producer.
constexpr uint64_t ByValuePos = uint64_t(1) << 62;
/// The slot of a position.
constexpr Slot slotOf(uint64_t Pos) { return static_cast<Slot>((Pos >> 56) & 3); }

/// Where the calling thread's next record goes, and the end of its chunk
/// (owned by the runtime): a scalar's record is appended inline when it
/// fits, in the trace's own format (trace/format.hpp).
struct Cursor {
  char *Next;
  char *End;
};

namespace detail {

/// Asks for the cache line at \p P with the intent to write it: a chunk
/// comes back from the writer with its lines in another core's cache.
/// Never faults, whatever the address.
inline void prefetchForWrite(const char *P) noexcept {
#if defined(__x86_64__) || defined(__i386__)
  // PREFETCHW: decoded as a no-op by x86 cores without it.
  asm volatile("prefetchw (%0)" : : "r"(P));
#else
  __builtin_prefetch(P, 1, 3);
#endif
}

} // namespace detail

/// Capture entry points, implemented in the library. Extra is the
/// EnumInfo of a scalar, or the parameter id of a global.
class Call;
void captureFixed(Call &C, uint64_t Pos, const void *Obj, TypeDesc *Type,
                  const void *Extra) noexcept;
void captureBytes(Call &C, uint64_t Pos, const void *Obj, unsigned Size,
                  TypeDesc *Type, const void *Extra) noexcept;
void captureString(Call &C, uint64_t Pos, const char *P, std::size_t N,
                   const void *Addr, TypeDesc *Type,
                   const void *Extra) noexcept;
/// A string read up to the value limit without finding its end: its bytes
/// are kept, and the record says the length is unknown.
void captureStringCut(Call &C, uint64_t Pos, const char *P, std::size_t N,
                      const void *Addr, TypeDesc *Type,
                      const void *Extra) noexcept;
void captureText(Call &C, uint64_t Pos, const void *Obj, TypeDesc *Type,
                 const void *Extra) noexcept;
void captureNothing(Call &C, const char *Why) noexcept;
void captureVoid(Call &C) noexcept;
void captureException(Call &C) noexcept;

class Call {
public:
  explicit Call(Site &S) noexcept {
    int Mode = __atomic_load_n(&RuntimeMode, __ATOMIC_RELAXED);
    if (__builtin_expect(Mode == 1, 1) || (Mode == 0 && initRuntime()))
      enter(S);
  }
  Call(const Call &) = delete;
  Call &operator=(const Call &) = delete;
  ~Call() {
    // TS without Node: a call cut by the recording policy, which still has
    // to restore the thread's provenance state.
    if (TS)
      leave();
  }

  /// A parameter taken by value: the callee's copy. Only a note from the
  /// call site can tell where its value came from.
  template <class T> void arg(unsigned I, const T &V) noexcept {
    if (Node)
      capture<true>(Slot::Arg, I, 0, V, nullptr, nullptr);
  }
  template <class T>
  void arg(unsigned I, const T &V, const EnumInfo &E) noexcept {
    if (Node)
      capture<true>(Slot::Arg, I, 0, V, &E, nullptr);
  }
  /// A reference parameter: the caller's object itself, which a binding may
  /// name even when the call site left no note.
  template <class T> void argRef(unsigned I, const T &V) noexcept {
    if (Node)
      capture(Slot::Arg, I, 0, V, nullptr, nullptr);
  }
  template <class T>
  void argRef(unsigned I, const T &V, const EnumInfo &E) noexcept {
    if (Node)
      capture(Slot::Arg, I, 0, V, &E, nullptr);
  }
  template <class... Ts> void pack(unsigned I, const Ts &...Vs) noexcept {
    if (!Node)
      return;
    unsigned Sub = 0;
    (capture(Slot::Arg, I, ++Sub, Vs, nullptr, nullptr), ...);
  }
  template <class T> void self(const T &Obj) noexcept {
    if (Node)
      capture(Slot::Self, 0, 0, Obj, nullptr, nullptr);
  }
  template <class T>
  void global(uint64_t ParamHash, const char *ParamId, const T &V) noexcept {
    (void)ParamHash;
    if (Node)
      capture(Slot::Global, 0, 0, V, nullptr, ParamId);
  }
  void retEnum(const EnumInfo &E) noexcept { RetEnum = &E; }

  /// Records the value returned by the body.
  template <class T> void ret(const T &V) noexcept {
    if (Node)
      capture(Slot::Ret, 0, 0, V, RetEnum, nullptr);
  }
  void retVoid() noexcept {
    if (Node)
      captureVoid(*this);
  }
  void retNotCaptured() noexcept {
    RetDone = true;
    if (Node)
      captureNothing(*this, "<not captured>");
  }
  void retException() noexcept {
    RetDone = true;
    if (Node)
      captureException(*this);
  }

  /// Runtime-owned state, public so the library's free functions reach it.
  ThreadState *TS = nullptr;
  uint64_t Node = 0;
  uint64_t Parent = 0;
  uint64_t PendingTop = 0;
  const EnumInfo *RetEnum = nullptr;
  Site *S = nullptr;
  bool RetDone = false;
  /// Some provenance may apply to this call's arguments (notes, bindings,
  /// trainable variables, handed-over or wildcard notes); else the
  /// captures skip the look-ups.
  bool MaybeProv = false;
  /// Positions below 64 of the arguments that a note, a handed-over or a
  /// wildcard note may give a producer (all bits for a position past 63):
  /// a by-value argument outside it has none, whatever is bound.
  uint64_t NotedArgs = 0;
  /// The thread's record cursor, set with Node.
  Cursor *Cur = nullptr;

  /// Whether provenance may apply to the value at \p K, \p I.
  bool mayHaveProv(Slot K, unsigned I, bool ByValue) const noexcept {
    if (K == Slot::Ret || !MaybeProv)
      return false;
    return !ByValue || ((NotedArgs >> (I & 63)) & 1);
  }

private:
  void enter(Site &S) noexcept;
  void leave() noexcept;
  void takeNotes(ThreadState &T, Site &Where) noexcept;

  template <bool ByValue = false, class T>
  void capture(Slot K, unsigned I, unsigned Sub, const T &V, const EnumInfo *E,
               const char *ParamId) noexcept {
    using U = std::remove_cv_t<T>;
    if constexpr (std::is_function<U>::value) {
      // A function reference parameter: record the function's address.
      U *Fn = &V;
      capture<ByValue>(K, I, Sub, Fn, E, ParamId);
      return;
    } else {
      TypeDesc *Type = &TypeDescOf<U>;
      const uint64_t Pos = valuePos(K, I, Sub) | (ByValue ? ByValuePos : 0);
      const void *Extra = ParamId ? static_cast<const void *>(ParamId)
                                  : static_cast<const void *>(E);
      const void *Addr = detail::addr(V);
      constexpr __trace_format::TypeKind Kind = detail::typeKindOf<U>();
      if constexpr (Kind == __trace_format::TypeKind::Fixed) {
        captureFixed(*this, Pos, Addr, Type, Extra);
      } else if constexpr (Kind != __trace_format::TypeKind::Text) {
        // The common record, written here without a call: no provenance to
        // look up, no enum names, not a pack element, small ids. Anything
        // else, or a full chunk, goes through the library.
        constexpr std::size_t Need = 3 + sizeof(U);
        const uint32_t Id = __atomic_load_n(&Type->Id, __ATOMIC_RELAXED);
        char *P = Cur->Next;
        if (__builtin_expect(!mayHaveProv(K, I, ByValue) && !Extra &&
                                 K != Slot::Global &&
                                 !Sub && I < 128 && Id - 1 < 127 &&
                                 static_cast<std::size_t>(Cur->End - P) >=
                                     Need,
                             1)) {
          P[0] = static_cast<char>(
              static_cast<unsigned>(__trace_format::Op::Value) |
              static_cast<unsigned>(K) << 3);
          P[1] = static_cast<char>(Id);
          char *Data = P + 2;
          if (K == Slot::Arg)
            *Data++ = static_cast<char>(I);
          __builtin_memcpy(Data, Addr, sizeof(U));
          Cur->Next = Data + sizeof(U);
          // Once per cache line: ask for the line 2 KiB ahead.
          if ((reinterpret_cast<uintptr_t>(P) ^
               reinterpret_cast<uintptr_t>(Cur->Next)) &
              ~uintptr_t(63))
            detail::prefetchForWrite(P + 2048);
          return;
        }
        captureBytes(*this, Pos, Addr, sizeof(U), Type, Extra);
      } else if constexpr (detail::HasTraceFormat<U>::value) {
        captureText(*this, Pos, Addr, Type, Extra);
      } else if constexpr (detail::IsCharPtr<U>) {
        // A string that provably ends within the value limit is copied;
        // anything else (nullptr, longer text, memory that ends before a
        // NUL) is rendered by outCString: a cut prefix or the address.
        bool Terminated = false;
        const std::size_t Limit = valueLimit();
        const std::size_t N = V ? safeCStringPrefix(V, Limit, Terminated) : 0;
        if (Terminated)
          captureString(*this, Pos, V, N, Addr, Type, Extra);
        else if (N && N >= Limit)
          captureStringCut(*this, Pos, V, N, Addr, Type, Extra);
        else
          captureText(*this, Pos, Addr, Type, Extra);
      } else if constexpr (detail::IsStdString<U>::value) {
        captureString(*this, Pos, V.data(), V.size(), Addr, Type, Extra);
      } else {
        // A char span's data() and size() may be the program's own bundles:
        // they run inside captureText, where calls are not recorded.
        captureText(*this, Pos, Addr, Type, Extra);
      }
    }
  }
};

namespace detail {

/// Calls the body; an exception is recorded and rethrown unchanged.
template <class F> decltype(auto) callBody(Call &C, F &&Body) {
#if TRACE_RT_EXCEPTIONS
  try {
    return static_cast<F &&>(Body)();
  } catch (...) {
    C.retException();
    throw;
  }
#else
  (void)C;
  return static_cast<F &&>(Body)();
#endif
}

/// A prvalue of a movable type: constructed in place in a named local that
/// NRVO turns into the caller's object (explicit return type, one return
/// statement, no try block: the shape clang and gcc both elide).
template <class R, class F> R invokeValue(Call &C, F &&Body) {
  R Result = callBody(C, static_cast<F &&>(Body));
  C.ret(Result);
  return Result;
}

/// A non-movable prvalue goes straight to the caller; it cannot be looked
/// at before the function returns, so it is recorded as not captured.
template <class R, class F> R invokePinned(Call &C, F &&Body) {
  struct Finish {
    Call &C;
    ~Finish() {
      if (!C.RetDone)
        C.retNotCaptured();
    }
  } Fin{C};
  return callBody(C, static_cast<F &&>(Body));
}

} // namespace detail

/// Runs the body of a bundle and records its result. Never adds a copy or
/// a move: references pass through, prvalues are elided (see invokeValue).
template <class F> decltype(auto) invoke(Call &C, F &&Body) {
  using R = decltype(static_cast<F &&>(Body)());
  if constexpr (std::is_void<R>::value) {
    detail::callBody(C, static_cast<F &&>(Body));
    C.retVoid();
  } else if constexpr (std::is_reference<R>::value) {
    R Result = detail::callBody(C, static_cast<F &&>(Body));
    C.ret(Result);
    return static_cast<R>(Result);
  } else if constexpr (std::is_move_constructible<R>::value) {
    return detail::invokeValue<R>(C, static_cast<F &&>(Body));
  } else {
    return detail::invokePinned<R>(C, static_cast<F &&>(Body));
  }
}

//===----------------------------------------------------------------------===//
// Call-site provenance.
//===----------------------------------------------------------------------===//

void notePush(const void *Addr, uint64_t CalleeHash, unsigned I) noexcept;
void notePartPush(const void *Root, uint64_t CalleeHash, unsigned I) noexcept;

/// Tells the next call of the bundle \p CalleeHash that its argument \p I is
/// the object at &V. Returns V itself, so the call is unchanged. A hash of 0
/// addresses the first bundle to start (a callee not known statically).
template <class T> T &note(T &V, uint64_t CalleeHash, unsigned I) noexcept {
  if (__atomic_load_n(&RuntimeMode, __ATOMIC_RELAXED) == 1)
    notePush(detail::addr(V), CalleeHash, I);
  return V;
}

/// Tells the next call of \p CalleeHash that argument \p I is the value held
/// by \p Obj (a future whose result is the argument). Used as
/// `(noteObject(fut, H, I), fut.get())`.
template <class T>
void noteObject(const T &Obj, uint64_t CalleeHash, unsigned I) noexcept {
  if (__atomic_load_n(&RuntimeMode, __ATOMIC_RELAXED) == 1)
    notePush(detail::addr(Obj), CalleeHash, I);
}

/// Tells the next call of \p CalleeHash that argument \p I is a member or an
/// element of \p Root. Used as `(notePart(root, H, I), root.x)`.
template <class T>
void notePart(const T &Root, uint64_t CalleeHash, unsigned I) noexcept {
  notePartPush(detail::addr(Root), CalleeHash, I);
}

/// Tells the next call of \p CalleeHash that argument \p I is the output of
/// the next bundle to return on this thread (the argument is a bundle call).
void expect(uint64_t CalleeHash, unsigned I) noexcept;
/// Tells the next call of \p CalleeHash that argument \p I is the output of
/// the last bundle to return before it starts, if one returns after this
/// (the argument is a call of a helper that may return a bundle's output).
void expectLast(uint64_t CalleeHash, unsigned I) noexcept;

/// `trace::feedback(value, ...)` takes notes addressed to this hash.
constexpr uint64_t FeedbackHash = 0x7472616365666262ull;

/// No bundle-return count: recording is off on this thread.
constexpr uint64_t NoMark = ~0ull;
/// How an object takes the result of an expression: it now holds exactly
/// that output (Set), it gained that output as a part (Add: an element, a
/// member, a compound assignment), or it is a part of it (Parts: a
/// structured binding).
enum : unsigned { BindSet = 0, BindAdd = 1, BindParts = 2 };

uint64_t markReturns() noexcept;
void bindResult(const void *Addr, uint64_t Mark, unsigned Mode) noexcept;
void bindCopy(const void *Dst, const void *Src, unsigned Mode) noexcept;
void unbindAddress(const void *Addr) noexcept;

inline uint64_t mark() noexcept {
  return __atomic_load_n(&RuntimeMode, __ATOMIC_RELAXED) == 1 ? markReturns()
                                                               : NoMark;
}

/// Declared right before a local variable's declaration: notes which bundle
/// calls return while the initializer runs, binds the variable to the last
/// of them, and forgets the variable's address when it goes out of scope.
class Local {
public:
  Local() noexcept : Mark(mark()) {}
  Local(const Local &) = delete;
  Local &operator=(const Local &) = delete;
  ~Local() {
    if (Mark != NoMark)
      for (unsigned I = 0; I < N; ++I)
        unbindAddress(Addrs[I]);
  }
  /// The variable was initialised by the expression.
  template <class T> void init(const T &V) noexcept {
    remember(V);
    if (Mark != NoMark)
      bindResult(Addrs[0], Mark, BindSet);
  }
  /// The variable was initialised from another variable.
  template <class T, class U> void copy(const T &V, const U &From) noexcept {
    remember(V);
    if (Mark != NoMark)
      bindCopy(Addrs[0], detail::addr(From), BindSet);
  }
  /// The variable may be bound later (an assignment): forget it at scope end.
  template <class T> void guard(const T &V) noexcept { remember(V); }
  /// Structured bindings: each name is a part of the initializer's value.
  template <class... Ts> void parts(const Ts &...Vs) noexcept {
    (part(Vs), ...);
  }

private:
  template <class T> void remember(const T &V) noexcept {
    Addrs[0] = detail::addr(V);
    N = 1;
  }
  template <class T> void part(const T &V) noexcept {
    if (N == MaxAddrs)
      return;
    Addrs[N++] = detail::addr(V);
    if (Mark != NoMark)
      bindResult(Addrs[N - 1], Mark, BindParts);
  }
  static constexpr unsigned MaxAddrs = 4;
  uint64_t Mark;
  const void *Addrs[MaxAddrs];
  unsigned N = 0;
};

/// A temporary made first in an expression statement that stores into a
/// variable: `((void)Assign(x, BindSet), x = f(y));`. At the end of the
/// full-expression it binds x to the last bundle that returned meanwhile
/// (or, given a source variable, to that variable's provenance).
class Assign {
public:
  template <class T>
  Assign(const T &Target, unsigned Mode) noexcept
      : Addr(detail::addr(Target)), Mode(Mode), Mark(mark()) {}
  template <class T, class U>
  Assign(const T &Target, const U &Source, unsigned Mode) noexcept
      : Addr(detail::addr(Target)), Src(detail::addr(Source)), Mode(Mode),
        Mark(mark()) {}
  Assign(const Assign &) = delete;
  Assign &operator=(const Assign &) = delete;
  ~Assign() {
    if (Mark == NoMark)
      return;
    if (Src)
      bindCopy(Addr, Src, Mode);
    else
      bindResult(Addr, Mark, Mode);
  }

private:
  const void *Addr;
  const void *Src = nullptr;
  unsigned Mode;
  uint64_t Mark;
};

//===----------------------------------------------------------------------===//
// Values handed to another thread.
//===----------------------------------------------------------------------===//

/// Where a thread function's result goes: the node that produced it, set
/// by the thread when the function returns (std::async's future).
struct HandoffSlot {
  uint64_t Node;
};

HandoffSlot *handoffLookup(uint64_t *Out, const void *const *Addrs,
                           unsigned N) noexcept;
void handoffBegin(uint64_t CalleeHash, const uint64_t *Prov,
                  unsigned N) noexcept;
uint64_t handoffMark() noexcept;
void handoffEnd(HandoffSlot *Slot, uint64_t Mark, uint64_t CalleeHash) noexcept;

/// The callable given to std::thread or std::async, wrapped so that the
/// provenance of its arguments, looked up on the creating thread, reaches
/// the first bundle that starts on the new one (the callable itself when
/// \p Hash names it; any bundle, kept only on equal values, for 0).
template <class F> class Carried {
public:
  static constexpr unsigned Max = 8;
  template <class G>
  Carried(uint64_t Hash, G &&Fn, const void *const *Addrs, unsigned N)
      : Fn(static_cast<G &&>(Fn)), Hash(Hash), N(N < Max ? N : Max) {
    for (unsigned I = 0; I < Max; ++I)
      Prov[I] = 0;
    if (__atomic_load_n(&RuntimeMode, __ATOMIC_RELAXED) == 1)
      Slot = handoffLookup(Prov, Addrs, this->N);
  }
  /// SFINAE-friendly, so std::jthread can still ask whether the callable
  /// takes a stop_token; called once, as the thread calls it: an rvalue.
  template <class... A>
  auto operator()(A &&...Args)
      -> decltype(std::declval<F>()(static_cast<A &&>(Args)...)) {
    handoffBegin(Hash, Prov, N);
    struct Finish {
      HandoffSlot *Slot;
      uint64_t Mark, Hash;
      ~Finish() {
        if (Slot)
          handoffEnd(Slot, Mark, Hash);
      }
    } Fin{Slot, Slot ? handoffMark() : 0, Hash};
    return static_cast<F &&>(Fn)(static_cast<A &&>(Args)...);
  }

private:
  F Fn;
  uint64_t Hash;
  unsigned N;
  uint64_t Prov[Max];
  HandoffSlot *Slot = nullptr;
};

/// `std::thread t(f, a, 1)` becomes
/// `std::thread t(carry(0xHASH, f, addr(a), nullptr), a, 1)`.
template <class F, class... P>
Carried<std::decay_t<F>> carry(uint64_t Hash, F &&Fn, P... Addrs) {
  const void *A[sizeof...(P) + 1] = {static_cast<const void *>(Addrs)...};
  return Carried<std::decay_t<F>>(Hash, static_cast<F &&>(Fn), A,
                                  sizeof...(P));
}

/// Records where the exception about to be thrown comes from; used as
/// `throw (thrownAt("f.cpp", 12), E)`.
void thrownAt(const char *File, unsigned Line) noexcept;

//===----------------------------------------------------------------------===//
// Trainable parameters.
//===----------------------------------------------------------------------===//

void registerParam(const ParamInfo &P, const void *Var, RenderFn R) noexcept;
void registerTu(const TuInfo &T) noexcept;

class Registrar {
public:
  explicit Registrar(const ParamInfo &P) noexcept {
    registerParam(P, nullptr, nullptr);
  }
  template <class T> Registrar(const ParamInfo &P, const T &Var) noexcept {
    registerParam(P, detail::addr(Var), &renderErased<std::remove_cv_t<T>>);
  }
  /// The value is not reachable from the registration (e.g. private).
  Registrar(const ParamInfo &P, std::nullptr_t) noexcept {
    registerParam(P, nullptr, nullptr);
  }
  explicit Registrar(const TuInfo &T) noexcept { registerTu(T); }
};

} // namespace __trace_rt

#endif // TRACE_ABI_HPP
