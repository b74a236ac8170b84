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

// Included by the plugin into the user's translation unit: the user's
// warning flags (-Weverything -Werror included) are not this header's to
// satisfy. The runtime's own build still sees its warnings.
// GCC compiles it in the output of trace-rewrite.
#ifdef __TRACE_PLUGIN__
#if defined(__clang__)
#pragma clang system_header
#elif defined(__GNUC__)
#pragma GCC system_header
#endif
#endif

// The plugin brackets the declarations it inserts in the user's file with
// these: no warning is reported between them (see quiet() in the plugin).
#if defined(__clang__)
#define __TRACE_BEGIN                                                          \
  _Pragma("clang diagnostic push")                                             \
      _Pragma("clang diagnostic ignored \"-Weverything\"")
#define __TRACE_END _Pragma("clang diagnostic pop")
#elif defined(__GNUC__)
// GCC has no -Weverything: the groups and the warnings outside them that
// the inserted declarations could raise.
#define __TRACE_BEGIN                                                          \
  _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wall\"")   \
      _Pragma("GCC diagnostic ignored \"-Wextra\"")                            \
          _Pragma("GCC diagnostic ignored \"-Wshadow\"")                       \
              _Pragma("GCC diagnostic ignored \"-Wpedantic\"")
#define __TRACE_END _Pragma("GCC diagnostic pop")
#else
#define __TRACE_BEGIN
#define __TRACE_END
#endif
// The same inside an expression or before a statement of an if or a loop,
// where GCC does not allow a pragma: there the inserted text is bare (GCC
// has no -Weverything whose warnings it would raise).
#if defined(__clang__)
#define __TRACE_EXPR_BEGIN __TRACE_BEGIN
#define __TRACE_EXPR_END __TRACE_END
#else
#define __TRACE_EXPR_BEGIN
#define __TRACE_EXPR_END
#endif
#if defined(__TRACE_PLUGIN__) && !defined(__clang__) && defined(__GNUC__) &&   \
    __GNUC__ >= 12
// The user's [[trace::bundle]] and [[trace::trainable]] mean nothing to GCC
// once rewritten: no -Wattributes warning for them.
#pragma GCC diagnostic ignored_attributes "trace::"
#endif

#include "format.hpp" // Next to this file: found without -I.

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <type_traits>
#include <utility>

// The recording fast path is inlined into each instrumented function where
// the build optimizes. At -O0 (no __OPTIMIZE__) nothing is optimized after
// inlining, so each bundle would carry its own unoptimized copy of every
// capture: there the path stays one out-of-line function per type, which
// the compiler emits once per translation unit instead of once per bundle.
#if defined(__OPTIMIZE__)
#define __TRACE_HOT __attribute__((always_inline))
#else
#define __TRACE_HOT
#endif

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#define TRACE_RT_EXCEPTIONS 1
#else
#define TRACE_RT_EXCEPTIONS 0
#endif

// Instrumented translation units may be C++11 or later, and this header
// must read the same in each. Clang (the only compiler that sees it: the
// plugin includes it) accepts constexpr if, fold expressions and variable
// templates in every mode, with the meaning they have in C++17; only the
// warnings that they are extensions are silenced, for this header alone.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wc++14-extensions"
#pragma clang diagnostic ignored "-Wc++17-extensions"
#endif

namespace __trace_rt {

//===----------------------------------------------------------------------===//
// Static metadata emitted by the plugin.
//===----------------------------------------------------------------------===//

/// Enumerator names of an enum type, so values print as names.
struct __EnumInfo {
  const char *TypeName;
  unsigned Count;
  const long long *Values;
  const char *const *Names;
};

/// SiteVoid: the function returns nothing (a constructor, a destructor, a
/// void function), so a call that ends with no result recorded returned
/// normally. SiteMain: main(), whose end returns 0.
enum : unsigned {
  SiteTrainable = 1,
  SiteMember = 2,
  SiteNoexcept = 4,
  SiteVoid = 8,
  SiteMain = 16
};

/// Per-bundle metadata. The plugin aggregate-initialises the fields up to
/// Flags (optionally Enums); the rest belong to the runtime and start at 0.
struct __Site {
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
  const __EnumInfo *const *Enums = nullptr;
#if __cplusplus < 201402L
  /// A C++11 class with default member initialisers is no aggregate: the
  /// plugin's braced initialiser calls this constructor instead, which is
  /// constexpr, so the site is still constant-initialised.
  constexpr __Site(uint64_t H, const char *K, const char *N, const char *P,
                   const char *F, unsigned L, const char *PN, unsigned NP,
                   const char *D, const char *PI, unsigned Fl,
                   const __EnumInfo *const *E = nullptr) noexcept
      : Hash(H), Key(K), Name(N), Pretty(P), File(F), Line(L), ParamNames(PN),
        NumParams(NP), Doc(D), ParamId(PI), Flags(Fl), Enums(E) {}
#endif
  /// Id in the trace file; assigned by the writer (under its lock).
  uint32_t Id = 0;
  /// Under TRACE_MAX_CALLS_PER_FUNCTION: calls and recorded calls of the
  /// threads whose counts were folded in (each thread counts its own calls
  /// of a site without sharing a cache line; see SiteCounts).
  uint64_t Calls = 0;
  uint64_t Recorded = 0;
  /// Next site whose calls were cut; the list is reported at exit.
  __Site *NextCut = nullptr;
  /// Set once the site is on the list of cut sites.
  uint32_t CutListed = 0;
};

/// A trainable parameter (code of a function or initializer of a variable).
struct __ParamInfo {
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
struct __TuInfo {
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
void outEnum(Out &O, long long V, const __EnumInfo *E, const char *TypeName,
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

/// The object's address as const void *, even for volatile objects and
/// types that overload unary operator&.
template <class T> inline const void *__addr(const T &V) noexcept {
  return const_cast<const void *>(
      static_cast<const volatile void *>(__builtin_addressof(V)));
}

namespace detail {

// The <type_traits> aliases and index sequences of C++14, spelled here so
// that the header reads the same from C++11 on.
template <class T> using DecayT = typename std::decay<T>::type;
template <class T> using RemoveCvT = typename std::remove_cv<T>::type;
template <class T> using RemovePointerT = typename std::remove_pointer<T>::type;
template <class T> using RemoveExtentT = typename std::remove_extent<T>::type;
template <class T>
using UnderlyingTypeT = typename std::underlying_type<T>::type;

template <std::size_t...> struct IndexSeq {};
template <std::size_t N, std::size_t... Is>
struct MakeIndexSeqImpl : MakeIndexSeqImpl<N - 1, N - 1, Is...> {};
template <std::size_t... Is> struct MakeIndexSeqImpl<0, Is...> {
  using Type = IndexSeq<Is...>;
};
template <std::size_t N>
using MakeIndexSeq = typename MakeIndexSeqImpl<N>::Type;

// Compile-time string search in the single-return form C++11 constexpr
// functions allow. Ranges are halved, so the recursion depth is the
// logarithm of the length: long type names stay within the constexpr
// depth limit.

/// Whether \p Word (of length \p W) starts at \p P.
constexpr bool startsWith(const char *P, const char *Word, std::size_t W) {
  return W == 0 || (*P == *Word && startsWith(P + 1, Word + 1, W - 1));
}
constexpr std::size_t findFrom(const char *P, std::size_t Lo, std::size_t Hi,
                               const char *Word, std::size_t W);
/// \p Left is the answer for [Lo, Mid); past it, look in [Mid, Hi).
constexpr std::size_t findRight(std::size_t Left, const char *P,
                                std::size_t Mid, std::size_t Hi,
                                const char *Word, std::size_t W) {
  return Left < Mid ? Left : findFrom(P, Mid, Hi, Word, W);
}
/// The first I in [Lo, Hi) where \p Word starts in \p P, else \p Hi.
constexpr std::size_t findFrom(const char *P, std::size_t Lo, std::size_t Hi,
                               const char *Word, std::size_t W) {
  return Hi - Lo <= 1 ? (Lo < Hi && startsWith(P + Lo, Word, W) ? Lo : Hi)
                      : findRight(findFrom(P, Lo, Lo + (Hi - Lo) / 2, Word, W),
                                  P, Lo + (Hi - Lo) / 2, Hi, Word, W);
}
/// \p At, or \p N when it is \p Past (the search found nothing).
constexpr std::size_t foundOr(std::size_t At, std::size_t Past, std::size_t N) {
  return At == Past ? N : At;
}
/// The first place \p Word starts in the \p N bytes at \p P, else \p N.
constexpr std::size_t findIn(const char *P, std::size_t N, const char *Word,
                             std::size_t W) {
  return W > N ? N : foundOr(findFrom(P, 0, N - W + 1, Word, W), N - W + 1, N);
}

/// The name after "T = " in a __PRETTY_FUNCTION__ of \p N bytes, without
/// the closing ']'.
constexpr TypeStr typeNameFrom(const char *P, std::size_t N,
                               std::size_t Start) {
  return TypeStr{P + Start,
                 static_cast<unsigned>(
                     (N > Start && P[N - 1] == ']' ? N - 1 : N) - Start)};
}
constexpr TypeStr typeNameIn(const char *P, std::size_t N, std::size_t At) {
  return typeNameFrom(P, N, At == N ? 0 : At + 4);
}

template <class T> constexpr TypeStr typeNameOf() {
  // clang: "... typeNameOf() [T = int]"; gcc: "... [with T = int]".
  return typeNameIn(__PRETTY_FUNCTION__, __builtin_strlen(__PRETTY_FUNCTION__),
                    findIn(__PRETTY_FUNCTION__,
                           __builtin_strlen(__PRETTY_FUNCTION__), "T = ", 4));
}

template <class T> struct TypeName {
  static constexpr TypeStr Value = typeNameOf<T>();
};
#if __cplusplus < 201703L
// Before C++17 a static constexpr member that is used needs a definition.
template <class T> constexpr TypeStr TypeName<T>::Value;
#endif

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
  return findIn(S.Ptr, S.Len, Word, __builtin_strlen(Word)) != S.Len;
}

/// A standard forward, bidirectional, random-access or contiguous iterator
/// tag. Told by name: <iterator> is not included here, so the tag types
/// cannot be named (a tag of the program's own derived from them is not
/// recognised, and its range is shown by name).
template <class Tag> constexpr bool isMultiPassTag() {
  return nameHas(TypeName<Tag>::Value, "forward_iterator_tag") ||
         nameHas(TypeName<Tag>::Value, "bidirectional_iterator_tag") ||
         nameHas(TypeName<Tag>::Value, "random_access_iterator_tag") ||
         nameHas(TypeName<Tag>::Value, "contiguous_iterator_tag");
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
          bool, !std::is_same<detail::DecayT<
                                  decltype(*std::declval<const T &>().begin())>,
                              T>::value &&
                    isMultiPass<detail::DecayT<
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
constexpr bool IsCharPtr = std::is_pointer<T>::value
    &&std::is_same<detail::RemoveCvT<detail::RemovePointerT<T>>, char>::value;

template <class T> constexpr bool isDeferred();

/// Values captured as raw bytes (at most 16, trivially copyable) and
/// rendered later by the writer. Only values whose text cannot depend on
/// anything outside those bytes qualify: scalars other than strings,
/// tuple-likes and optionals of such, and class types that render as their
/// name. Strings and anything else are captured as text at the call.
template <class T> constexpr bool IsDeferred = isDeferred<T>();

template <class T, std::size_t... Is>
constexpr bool tupleDeferred(detail::IndexSeq<Is...>) {
  return (
      ... &&
      (!std::is_reference<typename std::tuple_element<Is, T>::type>::value &&
       IsDeferred<
           detail::RemoveCvT<typename std::tuple_element<Is, T>::type>>));
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
    return tupleDeferred<T>(detail::MakeIndexSeq<std::tuple_size<T>::value>());
  } else if constexpr (IsOptionalLike<T>::value) {
    if constexpr (HasValueType<T>::value)
      return IsDeferred<detail::RemoveCvT<typename T::value_type>>;
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

//===----------------------------------------------------------------------===//
// Records without operator<<: renderers the plugin emits (docs/runtime.md).
//===----------------------------------------------------------------------===//

/// Renders the record at the address it is given, field by field. The
/// plugin emits one per record type that reaches a bundle's values, as a
/// static member function of a local class in the bundle's prologue: only
/// there does the emitted code have the bundle's access to the fields.
using __RecordFn = void (*)(Out &, const void *);
/// The sink as the inserted code spells it (only reserved names are).
using __Out = Out;

namespace detail {

/// The renderers registered for T: one that shows every field (emitted
/// where all of them are accessible) and one that shows the accessible
/// ones. A static member of a class template is one object program-wide,
/// so a renderer registered by one translation unit serves every other.
template <class T> struct RecordHook {
  static __RecordFn All;
  static __RecordFn Visible;
};
template <class T> __RecordFn RecordHook<T>::All = nullptr;
template <class T> __RecordFn RecordHook<T>::Visible = nullptr;

/// The renderer to use for T, or nullptr (then T renders by its name).
template <class T> inline __RecordFn recordRenderer() noexcept {
  __RecordFn F = __atomic_load_n(&RecordHook<T>::All, __ATOMIC_RELAXED);
  return F ? F : __atomic_load_n(&RecordHook<T>::Visible, __ATOMIC_RELAXED);
}

} // namespace detail

/// Registers \p F for T (\p All: it shows every field). Returns true: the
/// plugin calls it from the initialiser of a function-local static, so it
/// runs once, before the bundle's first capture.
template <class T> inline bool __useRecord(__RecordFn F, bool All) noexcept {
  __atomic_store_n(All ? &detail::RecordHook<T>::All
                       : &detail::RecordHook<T>::Visible,
                   F, __ATOMIC_RELAXED);
  return true;
}

/// Counts the records being rendered on this thread; false past the nesting
/// bound (a cycle through references, a deep tree), where the record is
/// shown as `{…}`. Each true is matched by one outLeaveRecord().
bool outEnterRecord(Out &O) noexcept;
void outLeaveRecord(Out &O) noexcept;

/// Writes one record's fields, `{x: 1, y: {a: 2}}`, for plugin-emitted
/// renderers. Each field is rendered by render(), so nested records,
/// containers and the value limit apply; once the text is full the rest is
/// `…` and no further field is read.
class __Fields {
public:
  explicit __Fields(Out &O) noexcept : O(O) { outChar(O, '{'); }
  __Fields(const __Fields &) = delete;
  __Fields &operator=(const __Fields &) = delete;
  ~__Fields() { outChar(O, '}'); }

  /// Starts the entry \p Name (nullptr: no name); false when the text is
  /// full, and the caller reads nothing.
  bool __open(const char *Name) noexcept {
    if (Cut)
      return false;
    if (Count++)
      outWrite(O, ", ", 2);
    if (outFull(O)) {
      outWrite(O, "\xE2\x80\xA6", 3);
      Cut = true;
      return false;
    }
    if (Name) {
      outCStr(O, Name);
      outWrite(O, ": ", 2);
    }
    return true;
  }
  /// A field, or a base class subobject named by its class.
  template <class T> void __field(const char *Name, const T &V) noexcept {
    if (__open(Name))
      render(O, V);
  }
  /// An entry whose value is not read: a volatile field, an anonymous union.
  void __text(const char *Name, const char *Text) noexcept {
    if (__open(Name))
      outCStr(O, Text);
  }
  /// \p N fields that the renderer could not name (private ones).
  void __hidden(unsigned N) noexcept {
    if (!__open(nullptr))
      return;
    outChar(O, '+');
    outUnsigned(O, N);
    outWrite(O, " private", 8);
  }

  Out &O;

private:
  unsigned Count = 0;
  bool Cut = false;
};

// Private fields under -fplugin-arg-trace-private-fields. Access checking
// does not apply to the names in an explicit instantiation, so the plugin
// appends, at the end of the main file,
//   template struct __PrivateGrant<__PrivateField<__TuTag, C, M, I>,
//                                  M C::*, &C::field>;
// which defines the friend __privateField(__PrivateField<...>) returning the
// member pointer, and the renderer reads `v.*__privateField(Tag())`.
// __TuTag is in an unnamed namespace: each translation unit has its own
// specializations, so each explicit instantiation is the only one of its
// kind in the program.
namespace {
struct __TuTag {};
} // namespace

/// Declares the accessor of field number \p I of \p C, of type \p M.
template <class Tu, class C, class M, unsigned I> struct __PrivateField {
  friend M C::*__privateField(__PrivateField);
};
/// Defines it, when explicitly instantiated with the member pointer.
template <class Tag, class Ptr, Ptr P> struct __PrivateGrant {
  friend Ptr __privateField(Tag) { return P; }
};

namespace detail {

/// Renders the alternative a variant holds (a visitor that C++11 can spell).
struct RenderVisitor {
  Out &O;
  template <class X> void operator()(const X &V) const {
    ::__trace_rt::render(O, V);
  }
};

template <class T, std::size_t... Is>
void renderTuple(Out &O, const T &V, detail::IndexSeq<Is...>) noexcept {
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
    } else if constexpr (IsProxyOf<detail::DecayT<decltype(E)>, T>::value) {
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
    if constexpr (std::is_function<detail::RemovePointerT<T>>::value)
      outPointer(O, reinterpret_cast<const void *>(V));
    else // Object pointers may point to volatile; only the address is shown.
      outPointer(O, const_cast<const void *>(
                        static_cast<const volatile void *>(V)));
  } else if constexpr (std::is_array<T>::value) {
    if constexpr (std::is_same<detail::RemoveCvT<detail::RemoveExtentT<T>>,
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
      visit(RenderVisitor{O}, V);
  } else if constexpr (IsRange<T>::value) {
    renderRange(O, V);
  } else if constexpr (IsTupleLike<T>::value) {
    renderTuple(O, V, detail::MakeIndexSeq<std::tuple_size<T>::value>());
  } else {
    if constexpr (std::is_class<T>::value) {
      // A record whose renderer the plugin emitted: its fields, nested
      // within the bound.
      if (__RecordFn F = recordRenderer<T>()) {
        if (outEnterRecord(O)) {
          F(O, __addr(V));
          outLeaveRecord(O);
        } else {
          outWrite(O, "{\xE2\x80\xA6}", 5);
        }
        return;
      }
    }
    constexpr TypeStr N = TypeName<T>::Value;
    outWrite(O, N.Ptr, N.Len);
    outWrite(O, "{...}", 5);
  }
}

/// Type-erased renderer stored next to captured bytes or an object.
using RenderFn = void (*)(Out &, const void *, const __EnumInfo *);

template <class T>
void renderErased(Out &O, const void *P, const __EnumInfo *E) noexcept {
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

/// Where the calling thread's next record goes, and the end of its chunk
/// (owned by the runtime): a scalar's record is appended inline when it
/// fits, in the trace's own format (trace/format.hpp).
struct Cursor {
  char *Next;
  char *End;
};

struct ThreadState;
struct HandoffSlot;

// A provenance word says where a value came from: a node id
// ((thread << 32) | seq), a trainable variable (ParamTag | const char *id)
// or a call that the call limit did not record (CutTag | __Site *). Node ids
// never reach bit 60, so the tags and the Wild mark cannot collide with them.
constexpr uint64_t CutTag = 1ull << 63;
constexpr uint64_t ParamTag = 1ull << 62;
/// Set on a From word in a record: the edge came from a wildcard note (a
/// call through a pointer or a helper) and holds only if the value equals
/// the producer's output.
constexpr uint64_t WildMark = 1ull << 61;
/// A value a thread function will produce (std::async's future): the tag
/// holds a HandoffSlot *, resolved to its node when looked up.
constexpr uint64_t SlotTag = 1ull << 60;
constexpr uint64_t TagMask = CutTag | ParamTag | WildMark | SlotTag;

/// Note: argument I is the object at Addr. NotePart: it is a member or an
/// element of the object at Addr. Expect: it is the output of the next
/// bundle to return (a bundle call as the argument). ExpectLast: it is the
/// output of the last bundle that returned before the callee starts, if
/// any returned after the note (a helper's result). Result: an Expect that
/// a returning bundle filled.
/// Skip: an ExpectLast that no return filled, left in place for the callee.
enum class PendingKind : uint32_t {
  Note,
  NotePart,
  Expect,
  ExpectLast,
  Result,
  Skip
};

struct PendingEntry {
  uint64_t Hash;    ///< Callee's site hash; 0 for any callee (wildcard).
  const void *Addr; ///< Note: the argument's object (or its root object).
  uint64_t Node;    ///< Result: the producing node.
  uint32_t Index;
  PendingKind Kind;
  /// ExpectLast: the thread's Returns when pushed.
  uint32_t Stamp;
};

/// Stack of call-site notes. It grows as deep recursion needs; past
/// MaxEntries a push is refused and counted as lost (never silently).
/// Positions are plain sizes, so a size remembered at a bundle's entry
/// truncates the stack back at its exit.
class PendingStack {
public:
  static constexpr std::size_t MaxEntries = std::size_t(1) << 22;

  PendingStack() = default;
  PendingStack(const PendingStack &) = delete;
  PendingStack &operator=(const PendingStack &) = delete;
  ~PendingStack() { delete[] Items; }

  /// False when the stack is at its bound (the entry is dropped).
  bool push(const PendingEntry &E) noexcept {
    if (__builtin_expect(Top == Cap, 0) && !grow())
      return false;
    Items[Top++] = E;
    return true;
  }
  bool empty() const { return Top == 0; }
  void clear() { Top = 0; }
  PendingEntry *data() { return Items; }
  PendingEntry &top() { return Items[Top - 1]; }
  void pop() { --Top; }
  uint64_t size() const { return Top; }
  void truncate(uint64_t Size) {
    if (Size < Top)
      Top = Size;
  }

private:
  bool grow() noexcept;
  PendingEntry *Items = nullptr;
  std::size_t Top = 0;
  std::size_t Cap = 0;
};

/// The notes a bundle took at its entry, consulted by its captures: the
/// entries just above the pending stack's new top, left in place (nothing
/// is pushed until the captures are done: a note made while a value is
/// rendered is dropped).
struct EntryProvenance {
  const PendingEntry *Items = nullptr;
  unsigned Count = 0;
  unsigned Results = 0; ///< Items that name their producer.
};

/// The part of a thread's state that the inline paths of this header read
/// and write without a call (a call's entry and exit, call-site notes, the
/// binding of an assignment); the library's ThreadState extends it.
struct HotThread {
  /// Where the next record goes; inline captures append to it.
  Cursor Cur;
  uint32_t Index;
  uint32_t Seq = 0;     ///< Nodes started; read by the final count.
  uint64_t Current = 0; ///< Innermost bundle call running on this thread.
  uint64_t LastRet = 0; ///< Latest bundle call that returned (or a cut tag).
  uint64_t Returns = 0; ///< Bundle calls that returned, cut ones included.
  /// Returns plus callables carried to new threads: a __Local's mark.
  /// Counted from the thread's index << EventsShift, so that a mark taken
  /// on another thread (a coroutine that went on there) is told apart.
  uint64_t Events = 0;
  static constexpr unsigned EventsShift = 40;
  uint64_t LastTop = 0; ///< Latest top-level bundle call.
  /// The latest carried callable's result slot, if it is the latest event.
  HandoffSlot *LastCarry = nullptr;
  /// The front entry of the thread's address map: the object bound last,
  /// when one producer is all it holds (never also in the map). A loop
  /// `y = f(y)` rebinds it in place, without hashing.
  const void *BindAddr = nullptr;
  uint64_t BindProv = 0;
  /// Objects bound (the map's entries and the front one): none means that
  /// no look-up can find a producer.
  std::size_t Bound = 0;
  /// Seq + 1 of the call that a wildcard note / a handed-over argument
  /// list is for.
  uint32_t WildLast = 0;
  uint32_t CarriedStamp = 0;
  /// Rendering a value: nested bundle calls are not recorded.
  bool InCapture = false;
  PendingStack Pending;
  EntryProvenance Prov;
  /// Under a call limit: this thread's counters of the sites it called
  /// lately (direct-mapped by the __Site's address), so a call below the
  /// limit is counted inline. Filled and invalidated by the library.
  struct LimitSlot {
    const __Site *S;
    uint64_t *Calls;
  };
  static constexpr unsigned LimitSlots = 64;
  LimitSlot Limits[LimitSlots] = {};
  static unsigned limitSlot(const __Site *S) {
    return static_cast<unsigned>(reinterpret_cast<uintptr_t>(S) >> 4) &
           (LimitSlots - 1);
  }
};

/// The calling thread's state once created (initial-exec TLS: one load).
extern __thread HotThread *CurrentHot __attribute__((tls_model("initial-exec")));
/// TRACE_MAX_CALLS_PER_FUNCTION; 0 = unlimited.
extern uint64_t CallLimit;
/// True once a trainable variable's address is known.
extern bool ParamsKnown;

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
    return std::is_signed<detail::UnderlyingTypeT<T>>::value ? K::Enum
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

/// A type that would render as its name but has a renderer from the plugin
/// (one is registered before the first value is captured): its values are
/// text made at capture, under a type record of their own.
template <class T>
inline TypeDesc RecordTypeDescOf{detail::TypeName<T>::Value, &renderErased<T>,
                                 __trace_format::TypeKind::Text, 0u, 0};

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
/// __EnumInfo of a scalar, or the parameter id of a global.
class __Call;
void captureFixed(__Call &C, uint64_t Pos, const void *Obj, TypeDesc *Type,
                  const void *Extra) noexcept;
void captureBytes(__Call &C, uint64_t Pos, const void *Obj, unsigned Size,
                  TypeDesc *Type, const void *Extra) noexcept;
void captureString(__Call &C, uint64_t Pos, const char *P, std::size_t N,
                   const void *Addr, TypeDesc *Type,
                   const void *Extra) noexcept;
/// A string read up to the value limit without finding its end: its bytes
/// are kept, and the record says the length is unknown.
void captureStringCut(__Call &C, uint64_t Pos, const char *P, std::size_t N,
                      const void *Addr, TypeDesc *Type,
                      const void *Extra) noexcept;
void captureText(__Call &C, uint64_t Pos, const void *Obj, TypeDesc *Type,
                 const void *Extra) noexcept;
void captureNothing(__Call &C, const char *Why) noexcept;
void captureVoid(__Call &C) noexcept;
void captureException(__Call &C) noexcept;
/// An exception left a call whose handler could not be added (see
/// __Call::finish()): its type is not known there.
void captureUnwound(__Call &C) noexcept;

/// How a call's result stands (__Call::Ended).
enum : unsigned char { EndOpen = 0, EndDone = 1, EndNotCaptured = 2 };

class __Call {
public:
  __TRACE_HOT explicit __Call(__Site &S) noexcept {
    int Mode = __atomic_load_n(&RuntimeMode, __ATOMIC_RELAXED);
    if (__builtin_expect(Mode == 1, 1))
      enterFast(S);
    else if (Mode == 0 && initRuntime())
      enter(S);
  }
  __Call(const __Call &) = delete;
  __Call &operator=(const __Call &) = delete;
  /// The body stays the function's own (docs/design.md): its returns
  /// record the result on the way out; what none recorded is decided here,
  /// where every way out of the function passes.
  __TRACE_HOT ~__Call() {
    // TS without Node: a call cut by the recording policy, which still has
    // to restore the thread's provenance state.
    if (TS) {
      if (Ended != EndDone)
        finish();
      leaveFast();
    }
  }

  /// A parameter taken by value: the callee's copy. Only a note from the
  /// call site can tell where its value came from.
  template <class T>
  __TRACE_HOT void __arg(unsigned I, const T &V) noexcept {
    if (Node)
      capture<true>(Slot::Arg, I, 0, V, nullptr, nullptr);
  }
  template <class T>
  void __arg(unsigned I, const T &V, const __EnumInfo &E) noexcept {
    if (Node)
      capture<true>(Slot::Arg, I, 0, V, &E, nullptr);
  }
  /// A reference parameter: the caller's object itself, which a binding may
  /// name even when the call site left no note.
  template <class T>
  __TRACE_HOT void __argRef(unsigned I,
                                              const T &V) noexcept {
    if (Node)
      capture(Slot::Arg, I, 0, V, nullptr, nullptr);
  }
  template <class T>
  void __argRef(unsigned I, const T &V, const __EnumInfo &E) noexcept {
    if (Node)
      capture(Slot::Arg, I, 0, V, &E, nullptr);
  }
  template <class... Ts> void __pack(unsigned I, const Ts &...Vs) noexcept {
    if (!Node)
      return;
    unsigned Sub = 0;
    (capture(Slot::Arg, I, ++Sub, Vs, nullptr, nullptr), ...);
  }
  template <class T> void __self(const T &Obj) noexcept {
    if (Node)
      capture(Slot::Self, 0, 0, Obj, nullptr, nullptr);
  }
  template <class T>
  void __global(uint64_t ParamHash, const char *ParamId, const T &V) noexcept {
    (void)ParamHash;
    if (Node)
      capture(Slot::Global, 0, 0, V, nullptr, ParamId);
  }
  void __retEnum(const __EnumInfo &E) noexcept { RetEnum = &E; }

  /// Records the value returned by the body.
  template <class T>
  __TRACE_HOT void ret(const T &V) noexcept {
    if (Node)
      capture(Slot::Ret, 0, 0, V, RetEnum, nullptr);
    Ended = EndDone;
  }
  void retVoid() noexcept {
    if (Node)
      captureVoid(*this);
    Ended = EndDone;
  }
  void retNotCaptured() noexcept {
    Ended = EndDone;
    if (Node)
      captureNothing(*this, "<not captured>");
  }
  void retException() noexcept {
    Ended = EndDone;
    if (Node)
      captureException(*this);
  }

  /// `{__trace_call.__ret(x); return x;}`: a returned variable is recorded
  /// before the unchanged `return x;`, which keeps NRVO and implicit move.
  template <class T>
  __TRACE_HOT void __ret(const T &V) noexcept {
    ret(V);
  }
  /// The function's own handler, `catch (...) { __trace_call.__threw();
  /// throw; }`: the exception's type and what() are known here.
  void __threw() noexcept {
    if (Ended != EndDone)
      retException();
  }
  /// A return that the plugin could not rewrite (from a macro, or a value
  /// it cannot look at without a copy): a normal end records "not
  /// captured", not an exception.
  void __unrecorded() noexcept { Ended = EndNotCaptured; }

  /// A call that ends without a recorded result: a void function's end,
  /// main()'s implicit `return 0`, a return the plugin left alone, or an
  /// exception where the function has no handler of the plugin's (noexcept
  /// functions, destructors, -fno-exceptions, non-void functions whose end
  /// is reachable: a handler there would change the wording of
  /// -Wreturn-type).
  __attribute__((noinline)) void finish() noexcept {
    const unsigned char E = Ended;
    Ended = EndDone;
    if (!Node)
      return;
    if (E == EndNotCaptured) {
      captureNothing(*this, "<not captured>");
    } else if (S->Flags & SiteVoid) {
      captureVoid(*this);
    } else if (S->Flags & SiteMain) {
      const int Zero = 0;
      capture(Slot::Ret, 0, 0, Zero, nullptr, nullptr);
    } else {
      captureUnwound(*this);
    }
  }

  /// Runtime-owned state, public so the library's free functions reach it.
  HotThread *TS = nullptr;
  uint64_t Node = 0;
  uint64_t Parent = 0;
  uint64_t PendingTop = 0;
  const __EnumInfo *RetEnum = nullptr;
  __Site *S = nullptr;
  /// EndOpen until a result (or an exception) is recorded.
  unsigned char Ended = EndOpen;
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

  /// A by-value argument whose one note already names its producer (its
  /// object was the thread's front binding: `y = f(y)` in a loop): the
  /// value record with `from`, written here. False when the record needs
  /// the library (another shape of notes, a far producer, a full chunk).
  __TRACE_HOT bool fromNote(unsigned I, uint32_t Id,
                                               const void *Addr,
                                               std::size_t Size) noexcept {
    const EntryProvenance &P = TS->Prov;
    if (P.Count != 1 || P.Items[0].Index != I ||
        P.Items[0].Kind != PendingKind::Result)
      return false;
    const uint64_t From = P.Items[0].Node;
    // A node of this thread started at most 31 calls before this one (a
    // one-byte reference), with no tag but the wildcard mark; small ids.
    const uint64_t Back = Node - (From & ~WildMark);
    if ((From & (TagMask & ~WildMark)) || !From || Back > 31 || I >= 128 ||
        Id - 1 >= 127 ||
        static_cast<std::size_t>(Cur->End - Cur->Next) < 5 + Size)
      return false;
    char *W = Cur->Next;
    W[0] = static_cast<char>(
        static_cast<unsigned>(__trace_format::Op::Value) |
        static_cast<unsigned>(Slot::Arg) << 3 | 0x80u);
    W[1] = static_cast<char>(Id);
    W[2] = static_cast<char>(I);
    W[3] = static_cast<char>(__trace_format::ValueFrom);
    W[4] = static_cast<char>(Back << 2 | ((From & WildMark) ? 2 : 0));
    __builtin_memcpy(W + 5, Addr, Size);
    Cur->Next = W + 5 + Size;
    if ((reinterpret_cast<uintptr_t>(W) ^
         reinterpret_cast<uintptr_t>(Cur->Next)) &
        ~uintptr_t(63))
      detail::prefetchForWrite(W + 2048);
    return true;
  }

  /// Whether provenance may apply to the value at \p K, \p I.
  bool mayHaveProv(Slot K, unsigned I, bool ByValue) const noexcept {
    if (K == Slot::Ret || !MaybeProv)
      return false;
    return !ByValue || ((NotedArgs >> (I & 63)) & 1);
  }

private:
  void enter(__Site &S) noexcept;
  void leave() noexcept;
  void takeNotes(ThreadState &T, __Site &Where) noexcept;
  /// Takes the notes addressed to this call and decides which arguments
  /// may have a producer (enterFast with notes on the pending stack).
  void enterNotes(uint32_t Seq) noexcept;

  /// A call's entry, written here without a call into the library when
  /// nothing needs it: the thread is known, no call limit is set, no note
  /// on the pending stack is addressed to this bundle, the site has a
  /// one-byte id and the chunk has room. Anything else takes enter().
  __TRACE_HOT void enterFast(__Site &Where) noexcept {
    HotThread *T = CurrentHot;
    const uint32_t Id = __atomic_load_n(&Where.Id, __ATOMIC_ACQUIRE);
    if (__builtin_expect(!T || T->InCapture ||
                             Id - 1 >= __trace_format::EnterInlineMax - 1 ||
                             T->Cur.Next == T->Cur.End,
                         0)) {
      enter(Where);
      return;
    }
    if (__builtin_expect(CallLimit != 0, 0)) {
      // Counted by this thread; the first call of a site lately, or one
      // past the limit, is the library's.
      HotThread::LimitSlot &L = T->Limits[HotThread::limitSlot(&Where)];
      uint64_t N;
      if (L.S != &Where || (N = *L.Calls) >= CallLimit) {
        enter(Where);
        return;
      }
      __atomic_store_n(L.Calls, N + 1, __ATOMIC_RELAXED);
    }
    TS = T;
    S = &Where;
    Parent = T->Current;
    const uint32_t Seq = T->Seq + 1;
    Node = (static_cast<uint64_t>(T->Index) << 32) | Seq;
    Cur = &T->Cur;
    T->Current = Node;
    if (!Parent)
      T->LastTop = Node;
    if (__builtin_expect(!T->Pending.empty() &&
                             T->Pending.top().Hash == Where.Hash,
                         0)) {
      // One note that already names its producer (y = f(y)) is taken
      // here; any other shape of notes by the library.
      const uint64_t Top = T->Pending.size();
      const PendingEntry *E = T->Pending.data() + Top - 1;
      if (E->Kind == PendingKind::Result && E->Index < 64 &&
          (Top == 1 || E[-1].Hash != Where.Hash ||
           E[-1].Kind == PendingKind::Expect) &&
          T->WildLast != Seq && T->CarriedStamp != Seq) {
        T->Pending.truncate(Top - 1);
        T->Prov.Items = E;
        T->Prov.Count = 1;
        T->Prov.Results = 1;
        PendingTop = Top - 1;
        MaybeProv = true;
        NotedArgs = uint64_t(1) << E->Index;
      } else {
        enterNotes(Seq);
      }
    } else {
      T->Prov.Count = 0;
      T->Prov.Results = 0;
      PendingTop = T->Pending.size();
      // No note was taken: only a bound object, a trainable variable (for
      // a reference), a wildcard note or a handed-over argument can apply.
      const bool Handed = T->WildLast == Seq || T->CarriedStamp == Seq;
      if (T->Bound || __atomic_load_n(&ParamsKnown, __ATOMIC_RELAXED) ||
          Handed) {
        MaybeProv = true;
        NotedArgs = Handed ? ~uint64_t(0) : 0;
      }
    }
    char *P = T->Cur.Next;
    *P = static_cast<char>(Id << 3);
    T->Cur.Next = P + 1;
    if (!(reinterpret_cast<uintptr_t>(P + 1) & 63))
      detail::prefetchForWrite(P + 2048);
    // Counted after the record is in the chunk (see enter()).
    __atomic_store_n(&T->Seq, Seq, __ATOMIC_RELAXED);
  }

  /// A recorded call's exit; a call the limit cut takes leave().
  __TRACE_HOT void leaveFast() noexcept {
    if (__builtin_expect(!Node, 0)) {
      leave();
      return;
    }
    returned(Node);
  }

  /// The thread's state after this call returned a value \p Produced by.
  __TRACE_HOT void returned(uint64_t Produced) noexcept {
    HotThread &T = *TS;
    T.Current = Parent;
    T.Pending.truncate(PendingTop);
    // A caller waiting for "the next bundle to return" gets this node.
    if (!T.Pending.empty() && T.Pending.top().Kind == PendingKind::Expect) {
      T.Pending.top().Kind = PendingKind::Result;
      T.Pending.top().Node = Produced;
    }
    T.LastRet = Produced;
    ++T.Returns;
    ++T.Events;
    T.LastCarry = nullptr;
  }

  /// Inlined into the bundle, so the slot, the index and the absent enum
  /// and parameter id are constants there: a scalar argument's record is a
  /// few tests and stores, with no call and no register spills.
  template <bool ByValue = false, class T>
  __TRACE_HOT void
  capture(Slot K, unsigned I, unsigned Sub, const T &V, const __EnumInfo *E,
          const char *ParamId) noexcept {
    using U = detail::RemoveCvT<T>;
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
      const void *Addr = __addr(V);
      constexpr __trace_format::TypeKind Kind = detail::typeKindOf<U>();
      if constexpr (Kind == __trace_format::TypeKind::Fixed) {
        if (detail::recordRenderer<U>()) // Fields, rendered now.
          captureText(*this, Pos, Addr, &RecordTypeDescOf<U>, Extra);
        else
          captureFixed(*this, Pos, Addr, Type, Extra);
      } else if constexpr (Kind != __trace_format::TypeKind::Text) {
        // The common record, written here without a call: no provenance to
        // look up, no enum names, not a pack element, small ids. Anything
        // else, or a full chunk, goes through the library.
        constexpr std::size_t Need = 3 + sizeof(U);
        const uint32_t Id = __atomic_load_n(&Type->Id, __ATOMIC_RELAXED);
        char *P = Cur->Next;
        if (ByValue && K == Slot::Arg && MaybeProv &&
            fromNote(I, Id, Addr, sizeof(U)))
          return;
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
template <class F>
auto callBody(__Call &C, F &&Body) -> decltype(static_cast<F &&>(Body)()) {
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
template <class R, class F> R invokeValue(__Call &C, F &&Body) {
  R Result = callBody(C, static_cast<F &&>(Body));
  C.ret(Result);
  return Result;
}

/// A non-movable prvalue goes straight to the caller; it cannot be looked
/// at before the function returns, so it is recorded as not captured.
template <class R, class F> R invokePinned(__Call &C, F &&Body) {
  struct Finish {
    __Call &C;
    ~Finish() {
      if (C.Ended != EndDone)
        C.retNotCaptured();
    }
  } Fin{C};
  return callBody(C, static_cast<F &&>(Body));
}

/// The class prvalue of one return statement (see __result), built in
/// place in a named local that NRVO turns into the caller's object.
template <class R, class F> R resultValue(__Call &C, F &&Body) {
  R Result = static_cast<F &&>(Body)();
  C.ret(Result);
  return Result;
}

} // namespace detail

/// Runs the body of a bundle and records its result. Never adds a copy or
/// a move: references pass through, prvalues are elided (see invokeValue).
/// The result type is the body's (the lambda's declared return type), as
/// decltype(auto) would deduce it from the returns below.
template <class F>
auto __invoke(__Call &C, F &&Body) -> decltype(static_cast<F &&>(Body)()) {
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
// Results recorded where the function returns (the in-place rewrite).
//===----------------------------------------------------------------------===//

/// The returned value is the argument: Clang's lifetime analysis follows
/// it through the recording call, so returning the address of a local, or
/// a reference to one, is still reported (-Wreturn-stack-address).
#if defined(__clang__)
#define __TRACE_LIFETIMEBOUND [[clang::lifetimebound]]
#else
#define __TRACE_LIFETIMEBOUND
#endif

/// `return __retv(__trace_call, E);`: a scalar E of the function's return
/// type. Taken by value: a copy of a scalar is its value (nothing
/// observable is added), and a bit-field or a constant that has no
/// definition needs no reference.
template <class T>
__TRACE_HOT inline T
__retv(__Call &C, T V __TRACE_LIFETIMEBOUND) noexcept {
  C.ret(V);
  return V;
}

/// `return __retAs<R>(__trace_call, E);`: a scalar return type R that E
/// converts to. The conversion happens where the return statement made it
/// (copy-initialisation of R from E), so `return 0;` of a pointer still
/// converts a null pointer constant.
template <class R>
__TRACE_HOT inline R
__retAs(__Call &C, R V __TRACE_LIFETIMEBOUND) noexcept {
  C.ret(V);
  return V;
}

/// `return __retRef(__trace_call, E);`: a reference return type and a
/// glvalue E, passed through unchanged.
template <class T>
__TRACE_HOT inline T &&
__retRef(__Call &C, T &&V __TRACE_LIFETIMEBOUND) noexcept {
  C.ret(V);
  return static_cast<T &&>(V);
}

/// `return __result(__trace_call, [&]() -> R { return E; });`: E is a class
/// prvalue (or the return type depends on a template parameter). Recording
/// it in the function would need a copy or a move, so only E goes into the
/// lambda: its prvalue initialises the named local of resultValue, which
/// NRVO turns into the caller's object. A type that cannot be moved goes
/// straight to the caller and is recorded as not captured. Exceptions pass
/// through to the function's own handler.
template <class F>
auto __result(__Call &C, F &&Body) -> decltype(static_cast<F &&>(Body)()) {
  using R = decltype(static_cast<F &&>(Body)());
  if constexpr (std::is_void<R>::value) {
    static_cast<F &&>(Body)();
    C.retVoid();
  } else if constexpr (std::is_reference<R>::value) {
    R Result = static_cast<F &&>(Body)();
    C.ret(Result);
    return static_cast<R>(Result);
  } else if constexpr (std::is_move_constructible<R>::value) {
    return detail::resultValue<R>(C, static_cast<F &&>(Body));
  } else {
    C.__unrecorded();
    return static_cast<F &&>(Body)();
  }
}

//===----------------------------------------------------------------------===//
// Coroutines.
//===----------------------------------------------------------------------===//

/// The call of \p C leaves its thread's stack of open calls (its coroutine
/// is about to suspend).
void coSuspend(__Call &C) noexcept;
/// The call of \p C is the calling thread's innermost open call again; false
/// (and nothing of it is recorded any more) when this thread cannot record.
bool coResume(__Call &C) noexcept;
/// The call of \p C ends unfinished: its coroutine was destroyed while
/// suspended.
void coDestroyed(__Call &C) noexcept;

/// The call object of a coroutine bundle: a local of the body, so it lives
/// in the coroutine frame (docs/design.md, "Coroutines"). A thread's records
/// are a stack of open calls, and a suspended coroutine runs on no thread:
/// each suspension point of the body takes the call off the thread's stack
/// (__suspend), and where the body goes on, maybe on another thread, puts it
/// back (__resume). What ends the call: a co_return, the end of the body, an
/// exception, or the frame destroyed while suspended (recorded as such).
class __CoCall : public __Call {
public:
  /// \p Lazy: the body may start after the call returned (its
  /// initial_suspend() may suspend), so the call-site notes it would take
  /// are not about its arguments any more: they are dropped.
  __CoCall(__Site &S, bool Lazy) noexcept : __Call(S) {
    if (Lazy)
      MaybeProv = false;
  }
  __CoCall(const __CoCall &) = delete;
  __CoCall &operator=(const __CoCall &) = delete;
  ~__CoCall() {
    if (!TS || (!Attached && !coResume(*this)))
      return;
    // Neither a co_return nor the end of the body nor an exception ended
    // the call: the frame is destroyed at a suspension point.
    if (Ended == EndOpen)
      coDestroyed(*this);
  }

  /// A suspension point is reached (its operand evaluated).
  void __suspend() noexcept {
    if (TS && Attached) {
      coSuspend(*this);
      Attached = false;
    }
  }
  /// The body goes on after a suspension point, on the calling thread.
  void __resume() noexcept {
    if (TS && !Attached && coResume(*this))
      Attached = true;
  }
  /// `co_return;`, `co_return E;` of a void E, the end of the body (where
  /// return_void() is called; a promise without it has no valid way there).
  void __coVoid() noexcept {
    __resume();
    if (Ended != EndDone)
      retVoid();
  }
  template <class T> void __ret(const T &V) noexcept {
    __resume();
    ret(V);
  }
  void __threw() noexcept {
    __resume();
    __Call::__threw();
  }

private:
  /// On the stack of the thread that runs the body.
  bool Attached = true;
};

/// `co_return ::__trace_rt::__retv(__trace_call, E);`: a scalar E.
template <class T>
__attribute__((always_inline)) inline T
__retv(__CoCall &C, T V __TRACE_LIFETIMEBOUND) noexcept {
  C.__resume();
  C.ret(V);
  return V;
}

/// `co_return ::__trace_rt::__result(__trace_call, [&]() -> decltype(auto) {
/// return (E); });`: a class prvalue E, or one whose type depends on a
/// template parameter (a void E records void).
template <class F>
auto __result(__CoCall &C, F &&Body) -> decltype(static_cast<F &&>(Body)()) {
  C.__resume();
  return __result(static_cast<__Call &>(C), static_cast<F &&>(Body));
}

/// A temporary of the full-expression that holds a suspension point:
/// `co_await ::__trace_rt::__CoSuspend(__trace_call).__pass(E)`, or, for a
/// class prvalue E that the awaiting takes by value,
/// `co_await ((void)::__trace_rt::__CoSuspend(__trace_call).__now(), E)`. The
/// call leaves the thread's stack once the operand is evaluated (__pass) or
/// before (__now), and comes back at the end of the full-expression, after
/// the coroutine resumed, or when its frame is destroyed while suspended
/// there (or during an exception's unwinding).
class __CoSuspend {
public:
  explicit __CoSuspend(__CoCall &C) noexcept : C(C) {}
  __CoSuspend(const __CoSuspend &) = delete;
  __CoSuspend &operator=(const __CoSuspend &) = delete;
  ~__CoSuspend() { C.__resume(); }
  /// E itself, with its type and value category: a glvalue, a scalar, or a
  /// class prvalue that the awaiting binds to a reference (the temporary is
  /// the one this parameter binds, which lives as long).
  template <class T> T &&__pass(T &&E) noexcept {
    C.__suspend();
    return static_cast<T &&>(E);
  }
  void __now() noexcept { C.__suspend(); }

private:
  __CoCall &C;
};

//===----------------------------------------------------------------------===//
// Call-site provenance.
//===----------------------------------------------------------------------===//

void notePush(const void *Addr, uint64_t CalleeHash, unsigned I) noexcept;
void notePartPush(const void *Root, uint64_t CalleeHash, unsigned I) noexcept;

/// Tells the next call of the bundle \p CalleeHash that its argument \p I is
/// the object at &V. Returns V itself, so the call is unchanged. A hash of 0
/// addresses the first bundle to start (a callee not known statically).
template <class T>
__TRACE_HOT inline T &__note(T &V, uint64_t CalleeHash,
                                                unsigned I) noexcept {
  if (__atomic_load_n(&RuntimeMode, __ATOMIC_RELAXED) != 1)
    return V;
  HotThread *H = CurrentHot;
  const void *A = __addr(V);
  if (__builtin_expect(!H || !CalleeHash, 0)) {
    notePush(A, CalleeHash, I);
    return V;
  }
  // A bundle called while a value is rendered is not recorded, and the
  // callee being recorded reads its notes in place until then.
  if (H->InCapture)
    return V;
  // The front binding's producer is known now: the callee gets it as a
  // result (a by-value argument is copied from V right after this).
  if (A == H->BindAddr)
    H->Pending.push({CalleeHash, A, H->BindProv, I, PendingKind::Result, 0});
  // Nothing bound but the front binding (which is not V), and no trainable
  // variable: no look-up can find V, so the note would tell the callee
  // nothing (`i` in `y = f(y, i)`), and leaving it out keeps the callee's
  // entry on its inline path.
  else if (H->Bound > (H->BindAddr != nullptr) ||
           __atomic_load_n(&ParamsKnown, __ATOMIC_RELAXED))
    H->Pending.push({CalleeHash, A, 0, I, PendingKind::Note, 0});
  return V;
}

/// Tells the next call of \p CalleeHash that argument \p I is the value held
/// by \p Obj (a future whose result is the argument). Used as
/// `(noteObject(fut, H, I), fut.get())`.
template <class T>
void __noteObject(const T &Obj, uint64_t CalleeHash, unsigned I) noexcept {
  if (__atomic_load_n(&RuntimeMode, __ATOMIC_RELAXED) == 1)
    notePush(__addr(Obj), CalleeHash, I);
}

/// Tells the next call of \p CalleeHash that argument \p I is a member or an
/// element of \p Root. Used as `(notePart(root, H, I), root.x)`.
template <class T>
void __notePart(const T &Root, uint64_t CalleeHash, unsigned I) noexcept {
  notePartPush(__addr(Root), CalleeHash, I);
}

/// Tells the next call of \p CalleeHash that argument \p I is the output of
/// the next bundle to return on this thread (the argument is a bundle call).
void __expect(uint64_t CalleeHash, unsigned I) noexcept;
/// Tells the next call of \p CalleeHash that argument \p I is the output of
/// the last bundle to return before it starts, if one returns after this
/// (the argument is a call of a helper that may return a bundle's output).
void __expectLast(uint64_t CalleeHash, unsigned I) noexcept;

/// `trace::feedback(value, ...)` takes notes addressed to this hash.
constexpr uint64_t __FeedbackHash = 0x7472616365666262ull;

/// No bundle-return count: recording is off on this thread.
constexpr uint64_t NoMark = ~0ull;
/// How an object takes the result of an expression: it now holds exactly
/// that output (Set), it gained that output as a part (Add: an element, a
/// member, a compound assignment), or it is a part of it (Parts: a
/// structured binding).
enum : unsigned { __BindSet = 0, __BindAdd = 1, BindParts = 2 };

uint64_t markReturns() noexcept;
void bindResult(const void *Addr, uint64_t Mark, unsigned Mode) noexcept;
void bindCopy(const void *Dst, const void *Src, unsigned Mode) noexcept;
void unbindAddress(const void *Addr) noexcept;

inline uint64_t mark() noexcept {
  if (__atomic_load_n(&RuntimeMode, __ATOMIC_RELAXED) != 1)
    return NoMark;
  HotThread *H = CurrentHot;
  return __builtin_expect(H != nullptr, 1) ? H->Events : markReturns();
}

namespace detail {

/// `x = f(...)` where x is the thread's front binding (the object bound
/// last, to one producer): rebinds it in place. False when the library has
/// to do it (another object, parts, a thread's future).
inline bool bindFront(const void *Addr, uint64_t Mark) noexcept {
  HotThread *H = CurrentHot;
  if (!H || H->BindAddr != Addr)
    return false;
  // No bundle returned, or none that this thread can tell (the mark is
  // another thread's): x holds a value no recorded call produced.
  if (H->Events == Mark || (H->Events ^ Mark) >> HotThread::EventsShift) {
    H->BindAddr = nullptr;
    --H->Bound;
    return true;
  }
  if (H->LastCarry)
    return false;
  H->BindProv = H->LastRet;
  return true;
}

/// Forgets a local's binding as it goes out of scope.
inline void unbind(const void *Addr) noexcept {
  HotThread *H = CurrentHot;
  if (!H || !H->Bound)
    return;
  if (H->BindAddr == Addr) {
    H->BindAddr = nullptr;
    --H->Bound;
    return;
  }
  unbindAddress(Addr);
}

} // namespace detail

/// Declared right before a local variable's declaration: notes which bundle
/// calls return while the initializer runs, binds the variable to the last
/// of them, and forgets the variable's address when it goes out of scope.
class __Local {
public:
  __Local() noexcept : Mark(mark()) {}
  __Local(const __Local &) = delete;
  __Local &operator=(const __Local &) = delete;
  ~__Local() {
    if (Mark != NoMark)
      for (unsigned I = 0; I < N; ++I)
        detail::unbind(Addrs[I]);
  }
  /// The variable was initialised by the expression.
  template <class T> void __init(const T &V) noexcept {
    remember(V);
    if (Mark != NoMark && !detail::bindFront(Addrs[0], Mark))
      bindResult(Addrs[0], Mark, __BindSet);
  }
  /// The variable was initialised from another variable.
  template <class T, class U> void __copy(const T &V, const U &From) noexcept {
    remember(V);
    if (Mark != NoMark)
      bindCopy(Addrs[0], __addr(From), __BindSet);
  }
  /// The variable may be bound later (an assignment): forget it at scope end.
  template <class T> void __guard(const T &V) noexcept { remember(V); }
  /// Structured bindings: each name is a part of the initializer's value.
  template <class... Ts> void __parts(const Ts &...Vs) noexcept {
    (part(Vs), ...);
  }

private:
  template <class T> void remember(const T &V) noexcept {
    Addrs[0] = __addr(V);
    N = 1;
  }
  template <class T> void part(const T &V) noexcept {
    if (N == MaxAddrs)
      return;
    Addrs[N++] = __addr(V);
    if (Mark != NoMark)
      bindResult(Addrs[N - 1], Mark, BindParts);
  }
  static constexpr unsigned MaxAddrs = 4;
  uint64_t Mark;
  const void *Addrs[MaxAddrs];
  unsigned N = 0;
};

/// A temporary made first in an expression statement that stores into a
/// variable: `((void)__Assign(x, __BindSet), x = f(y));`. At the end of the
/// full-expression it binds x to the last bundle that returned meanwhile
/// (or, given a source variable, to that variable's provenance).
class __Assign {
public:
  template <class T>
  __Assign(const T &Target, unsigned Mode) noexcept
      : Addr(__addr(Target)), Mode(Mode), Mark(mark()) {}
  template <class T, class U>
  __Assign(const T &Target, const U &Source, unsigned Mode) noexcept
      : Addr(__addr(Target)), Src(__addr(Source)), Mode(Mode), Mark(mark()) {}
  __Assign(const __Assign &) = delete;
  __Assign &operator=(const __Assign &) = delete;
  ~__Assign() {
    if (Mark == NoMark)
      return;
    if (Src)
      bindCopy(Addr, Src, Mode);
    else if (Mode != __BindSet || !detail::bindFront(Addr, Mark))
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
/// `std::thread t(__carry(0xHASH, f, __addr(a), nullptr), a, 1)`.
template <class F, class... P>
Carried<detail::DecayT<F>> __carry(uint64_t Hash, F &&Fn, P... Addrs) {
  const void *A[sizeof...(P) + 1] = {static_cast<const void *>(Addrs)...};
  return Carried<detail::DecayT<F>>(Hash, static_cast<F &&>(Fn), A,
                                    sizeof...(P));
}

/// Records where the exception about to be thrown comes from; used as
/// `throw (thrownAt("f.cpp", 12), E)`.
void __thrownAt(const char *File, unsigned Line) noexcept;

//===----------------------------------------------------------------------===//
// Trainable parameters.
//===----------------------------------------------------------------------===//

void registerParam(const __ParamInfo &P, const void *Var, RenderFn R) noexcept;
void registerTu(const __TuInfo &T) noexcept;

class __Registrar {
public:
  explicit __Registrar(const __ParamInfo &P) noexcept {
    registerParam(P, nullptr, nullptr);
  }
  template <class T> __Registrar(const __ParamInfo &P, const T &Var) noexcept {
    registerParam(P, __addr(Var), &renderErased<detail::RemoveCvT<T>>);
  }
  /// The value is not reachable from the registration (e.g. private).
  __Registrar(const __ParamInfo &P, std::nullptr_t) noexcept {
    registerParam(P, nullptr, nullptr);
  }
  explicit __Registrar(const __TuInfo &T) noexcept { registerTu(T); }
};

} // namespace __trace_rt

#if defined(__clang__)
#pragma clang diagnostic pop
#endif

// The ABI version: an object instrumented against this header and a runtime
// of another version fail to link, naming both (docs/runtime.md, "Version
// mismatch at link time"). The object needs __trace_rt_abi_v<N>, which only
// the runtime of version N defines; through __trace_rt_abi_check it brings
// in the runtime's check, which needs __trace_plugin_abi_v<M>, which only
// objects of version M define. Raise it on any incompatible change here.
#ifndef TRACE_RT_ABI_VERSION
#define TRACE_RT_ABI_VERSION 2
#endif
#define __TRACE_ABI_CAT2(A, B) A##B
#define __TRACE_ABI_CAT(A, B) __TRACE_ABI_CAT2(A, B)
#define __TRACE_RT_ABI __TRACE_ABI_CAT(__trace_rt_abi_v, TRACE_RT_ABI_VERSION)
#define __TRACE_PLUGIN_ABI                                                     \
  __TRACE_ABI_CAT(__trace_plugin_abi_v, TRACE_RT_ABI_VERSION)
#if __has_attribute(retain) // Kept by --gc-sections, so the check stays.
#define __TRACE_ABI_KEEP __attribute__((used, retain))
#else
#define __TRACE_ABI_KEEP __attribute__((used))
#endif
#ifdef __TRACE_PLUGIN__
extern "C" const char __TRACE_RT_ABI, __trace_rt_abi_check;
extern "C" __attribute__((weak)) const char __TRACE_PLUGIN_ABI = 0;
__TRACE_ABI_KEEP static const char *const __trace_abi_refs[] = {
    &__TRACE_RT_ABI, &__trace_rt_abi_check};
#endif

#endif // TRACE_ABI_HPP
