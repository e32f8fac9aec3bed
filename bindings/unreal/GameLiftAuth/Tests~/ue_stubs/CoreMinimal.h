// Stubs of the few Unreal Engine types and macros the plugin's glue uses (Public/GameLiftAuth.h,
// Private/GameLiftAuth.cpp), written for this test from the engine's documented API shapes (UE 5):
// just enough for `g++ -fsyntax-only`, with the checks that catch the usual mistakes (an FString
// passed to UE_LOG instead of *FString, a non-literal format, a const or rvalue MoveTemp, UTF8CHAR
// taken for char, Unreal's one-argument `check` macro). Compiling against them shows that the glue
// is consistent with these stubs; it says nothing about the real engine.
//
// Real Unreal splits this over many headers (CoreTypes, Containers/UnrealString.h,
// Containers/StringConv.h, Logging/LogMacros.h, HAL/UnrealMemory.h, Misc/AssertionMacros.h...),
// all reachable from CoreMinimal.h; so are these.

#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>

#ifndef PLATFORM_WINDOWS
#define PLATFORM_WINDOWS 0
#endif

// ---- CoreTypes -----------------------------------------------------------------------------

using int32 = std::int32_t;
using int64 = std::int64_t;
using uint8 = std::uint8_t;
using uint32 = std::uint32_t;
using SIZE_T = std::size_t;
using ANSICHAR = char;
/// TCHAR is UTF-16 on every Unreal platform but Windows' wchar_t is 2 bytes too; char16_t here.
using TCHAR = char16_t;
/// A distinct type from char in UE 5, as here: UTF-8 data needs a cast to be read as char.
enum UTF8CHAR : unsigned char {};

#define TEXT(x) u##x

// ---- Misc/AssertionMacros.h: one-argument macros, as in Unreal ------------------------------

#define check(expr) ((void)(expr))
#define checkf(expr, ...) ((void)(expr))
#define verify(expr) ((void)(expr))
#define ensure(expr) (!!(expr))

// ---- third-party include markers (Unreal: warning pragmas) ----------------------------------

#define THIRD_PARTY_INCLUDES_START _Pragma("GCC diagnostic push")
#define THIRD_PARTY_INCLUDES_END _Pragma("GCC diagnostic pop")

// ---- Templates/UnrealTemplate.h -------------------------------------------------------------

/// Unreal's MoveTemp refuses rvalues and const objects (a silent copy), as this one does.
template <typename T> std::remove_reference_t<T> &&MoveTemp(T &&Object) {
    static_assert(std::is_lvalue_reference_v<T>, "MoveTemp called on an rvalue");
    static_assert(!std::is_const_v<std::remove_reference_t<T>>, "MoveTemp called on a const object");
    return static_cast<std::remove_reference_t<T> &&>(Object);
}

// ---- HAL/UnrealMemory.h ---------------------------------------------------------------------

struct FMemory {
    static void Memzero(void *Dest, SIZE_T Count) { std::memset(Dest, 0, Count); }
};

// ---- Containers/UnrealString.h --------------------------------------------------------------

class FString {
public:
    FString() = default;
    FString(const TCHAR *Str) : Data(Str != nullptr ? Str : u"") {}

    const TCHAR *operator*() const { return Data.c_str(); }
    int32 Len() const { return static_cast<int32>(Data.size()); }
    bool IsEmpty() const { return Data.empty(); }
    void AppendChars(const TCHAR *Str, int32 Count) {
        check(Count >= 0);
        Data.append(Str, static_cast<std::size_t>(Count));
    }

private:
    std::u16string Data;
};

// ---- Containers/StringConv.h (ASCII-only conversions: enough for a syntax check) ------------

/// FTCHARToUTF8: Get() is a const UTF8CHAR* in UE 5.
class FTCHARToUTF8 {
public:
    explicit FTCHARToUTF8(const TCHAR *Source) {
        for (; Source != nullptr && *Source != 0; ++Source) {
            Buffer.push_back(static_cast<char>(*Source));
        }
    }
    FTCHARToUTF8(const FTCHARToUTF8 &) = delete;
    FTCHARToUTF8 &operator=(const FTCHARToUTF8 &) = delete;

    const UTF8CHAR *Get() const { return reinterpret_cast<const UTF8CHAR *>(Buffer.c_str()); }
    int32 Length() const { return static_cast<int32>(Buffer.size()); }

private:
    std::string Buffer;
};

/// FUTF8ToTCHAR: from a NUL-terminated string or from a pointer and a length.
class FUTF8ToTCHAR {
public:
    explicit FUTF8ToTCHAR(const ANSICHAR *Source) : FUTF8ToTCHAR(Source, static_cast<int32>(std::strlen(Source))) {}
    FUTF8ToTCHAR(const ANSICHAR *Source, int32 SourceLen) {
        for (int32 i = 0; i < SourceLen; ++i) {
            Buffer.push_back(static_cast<char16_t>(static_cast<unsigned char>(Source[i])));
        }
    }
    FUTF8ToTCHAR(const UTF8CHAR *Source, int32 SourceLen)
        : FUTF8ToTCHAR(reinterpret_cast<const ANSICHAR *>(Source), SourceLen) {}
    FUTF8ToTCHAR(const FUTF8ToTCHAR &) = delete;
    FUTF8ToTCHAR &operator=(const FUTF8ToTCHAR &) = delete;

    const TCHAR *Get() const { return Buffer.c_str(); }
    int32 Length() const { return static_cast<int32>(Buffer.size()); }

private:
    std::u16string Buffer;
};

// ---- Logging/LogVerbosity.h, Logging/LogMacros.h --------------------------------------------

namespace ELogVerbosity {
enum Type : uint8 {
    NoLogging = 0,
    Fatal,
    Error,
    Warning,
    Display,
    Log,
    Verbose,
    VeryVerbose,
    All = VeryVerbose,
    NumVerbosity,
    VerbosityMask = 0xf,
    SetColor = 0x40,
    BreakOnLog = 0x80,
};
}

struct FLogCategoryBase {
    FLogCategoryBase(const TCHAR *InName, ELogVerbosity::Type InDefault, ELogVerbosity::Type InCompileTime)
        : Name(InName), Verbosity(InDefault), CompileTimeVerbosity(InCompileTime) {}

    ELogVerbosity::Type GetVerbosity() const { return Verbosity; }

    const TCHAR *Name;
    ELogVerbosity::Type Verbosity;
    ELogVerbosity::Type CompileTimeVerbosity;
};

template <ELogVerbosity::Type DefaultVerbosity, ELogVerbosity::Type CompileTimeVerbosity>
struct FLogCategory : FLogCategoryBase {
    explicit FLogCategory(const TCHAR *InName) : FLogCategoryBase(InName, DefaultVerbosity, CompileTimeVerbosity) {}
};

// Unlike Unreal's, these do not end in ';' (the caller's ';' does), so that -Wpedantic does not
// see an empty declaration.
#define DECLARE_LOG_CATEGORY_EXTERN(CategoryName, DefaultVerbosity, CompileTimeVerbosity)                  \
    extern struct FLogCategory##CategoryName                                                                \
        : public FLogCategory<ELogVerbosity::DefaultVerbosity, ELogVerbosity::CompileTimeVerbosity> {       \
        FLogCategory##CategoryName() : FLogCategory(TEXT(#CategoryName)) {}                                 \
    } CategoryName

#define DEFINE_LOG_CATEGORY(CategoryName) FLogCategory##CategoryName CategoryName

namespace ue_stub {

/// What printf-style formatting can take: numbers, enums and pointers (*FString), never a class.
template <typename T>
constexpr bool IsFormatArg = std::is_arithmetic_v<T> || std::is_enum_v<T> || std::is_pointer_v<T>;

template <typename CategoryType, std::size_t N, typename... ArgTypes>
void Log(const CategoryType &Category, ELogVerbosity::Type Verbosity, const TCHAR (&Format)[N],
         ArgTypes... Args) {
    static_assert(std::is_base_of_v<FLogCategoryBase, CategoryType>, "UE_LOG needs a log category");
    static_assert((IsFormatArg<ArgTypes> && ...),
                  "UE_LOG arguments are printf arguments: pass *SomeFString, not the FString");
    (void)Category;
    (void)Verbosity;
    (void)Format;
    ((void)Args, ...);
}

} // namespace ue_stub

/// The verbosity is a bare name (Error, Warning, Log, ...) and the format a TEXT() literal.
#define UE_LOG(CategoryName, Verbosity, ...) ::ue_stub::Log(CategoryName, ELogVerbosity::Verbosity, __VA_ARGS__)
