@echo off
rem Shulin offline bundle for Windows x64: runs the bundle's own Node.js after checking
rem this is the machine it was made for; app\launch.mjs then checks every file.
setlocal
set "HERE=%~dp0"
if /I not "%PROCESSOR_ARCHITECTURE%"=="AMD64" if /I not "%PROCESSOR_ARCHITEW6432%"=="AMD64" (
  echo shulin: this bundle is for 64-bit Windows on x86-64 ^(win-x64^), but this machine is %PROCESSOR_ARCHITECTURE%. Use the bundle made for it. 1>&2
  exit /b 1
)
if not exist "%HERE%runtime\node.exe" (
  echo shulin: %HERE%runtime\node.exe is missing: the bundle is incomplete. Unzip shulin-*-win-x64.zip again. 1>&2
  exit /b 1
)
set "PATH=%HERE%runtime;%PATH%"
"%HERE%runtime\node.exe" "%HERE%app\launch.mjs" %*
exit /b %ERRORLEVEL%
