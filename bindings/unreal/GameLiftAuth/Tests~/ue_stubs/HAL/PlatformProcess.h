// Stub of the FPlatformProcess DLL functions (see ../CoreMinimal.h for what these stubs are and
// are not).
#pragma once

#include "CoreMinimal.h"

struct FPlatformProcess {
    static void *GetDllHandle(const TCHAR *Filename) {
        (void)Filename;
        return nullptr;
    }
    static void FreeDllHandle(void *DllHandle) { (void)DllHandle; }
    static void PushDllDirectory(const TCHAR *Directory) { (void)Directory; }
    static void PopDllDirectory(const TCHAR *Directory) { (void)Directory; }
};
