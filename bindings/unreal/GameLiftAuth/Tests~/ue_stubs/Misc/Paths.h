// Stub of FPaths::Combine (see ../CoreMinimal.h for what these stubs are and are not): FStrings
// and TCHAR strings, joined with '/'.
#pragma once

#include "CoreMinimal.h"

#include <type_traits>

struct FPaths {
    template <typename... PathTypes> static FString Combine(PathTypes &&...InPaths) {
        static_assert(((std::is_same_v<std::decay_t<PathTypes>, FString> ||
                        std::is_convertible_v<PathTypes, const TCHAR *>) &&
                       ...),
                      "FPaths::Combine takes FStrings and TCHAR strings");
        FString Out;
        (Append(Out, InPaths), ...);
        return Out;
    }

private:
    static void Append(FString &Out, const FString &Part) { Append(Out, *Part); }
    static void Append(FString &Out, const TCHAR *Part) {
        if (!Out.IsEmpty()) {
            Out.AppendChars(u"/", 1);
        }
        Out.AppendChars(Part, static_cast<int32>(std::char_traits<TCHAR>::length(Part)));
    }
};
