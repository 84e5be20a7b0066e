@echo off
rem `gt` on an agent's PATH on Windows; see bin/gt.
if defined GT_NODE (
  set ELECTRON_RUN_AS_NODE=1
  "%GT_NODE%" "%~dp0gt.mjs" %*
) else (
  node "%~dp0gt.mjs" %*
)
