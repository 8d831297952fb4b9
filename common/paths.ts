import { stat } from 'node:fs/promises';

/** Whether `path` names a directory (false when it is missing or unreadable). */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Whether `path` names anything at all (false when it is missing or unreadable). */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
