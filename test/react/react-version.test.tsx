/**
 * The React tests run twice: in the `unit` project on the root's React 19, and in the `react18`
 * project on test/react18's React 18 (vitest.config.ts). Should an alias stop matching, the
 * react18 project would quietly test React 19 again; this file fails instead.
 */
import { cleanup, render, screen } from '@testing-library/react';
import { useSelector } from '@xstate/react';
import { version as reactVersion, useState } from 'react';
import { version as reactDomVersion } from 'react-dom';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createActor, createMachine } from 'xstate';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The React major the project runs the React tests on (`provide` in vitest.config.ts). */
    reactMajor: number;
  }
}

afterEach(cleanup);

const major = (version: string) => Number(version.split('.')[0]);

describe('the React under test', () => {
  it('is the major the project names, react and react-dom alike', () => {
    expect(major(reactVersion)).toBe(inject('reactMajor'));
    expect(major(reactDomVersion)).toBe(inject('reactMajor'));
  });

  it('renders hooks through @testing-library/react and @xstate/react (one copy of React)', () => {
    const actor = createActor(createMachine({ initial: 'idle', states: { idle: {} } })).start();
    function Probe() {
      const [label] = useState(`React ${reactVersion}`);
      const state = useSelector(actor, (snapshot) => snapshot.value);
      return <p data-testid="probe">{`${label} · ${String(state)}`}</p>;
    }
    render(<Probe />);
    expect(screen.getByTestId('probe').textContent).toBe(`React ${reactVersion} · idle`);
  });
});
