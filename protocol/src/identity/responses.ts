/**
 * @module identity/responses
 * What the third-party sign-in routes answer: the providers this library accepts
 * (`GET /api/identity/providers`) and the ones a reader has linked (`GET /api/me/identity/external`).
 */
import { z } from 'zod'

export const ProviderList = z.object({ providers: z.array(z.object({ id: z.string(), name: z.string() })) })
export type ProviderList = z.infer<typeof ProviderList>

/** The provider ids linked to the signed-in reader. */
export const LinkedProviders = z.object({ linked: z.array(z.string()) })
export type LinkedProviders = z.infer<typeof LinkedProviders>
